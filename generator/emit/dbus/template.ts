/**
 * The D-Bus introspection templates. No logic beyond iteration over the
 * prepared view model (`view-model.ts`); every value is already escaped,
 * every doc comment laid out, and `openEnd` is `/>` or `>` as the element needs.
 *
 * One `<interface>` element is its own template (a partial of the file's), so
 * the TypeScript emitter's D-Bus descriptor carries exactly the bytes this
 * file prints for that interface, and a served object's Introspect answer is
 * the generated XML itself.
 */
export const DBUS_INTERFACE_TEMPLATE = `{{{doc}}}  <interface name="{{{name}}}">
{{#each members}}
{{{doc}}}    <{{{element}}} name="{{{name}}}"{{{attrs}}}{{{openEnd}}}
{{#each args}}
{{{doc}}}      <arg{{{attrs}}}{{{openEnd}}}
{{#each annotations}}
        <annotation name="{{{name}}}" value="{{{value}}}"/>
{{/each}}
{{#if hasChildren}}
      </arg>
{{/if}}
{{/each}}
{{#each annotations}}
      <annotation name="{{{name}}}" value="{{{value}}}"/>
{{/each}}
{{#if hasChildren}}
    </{{{element}}}>
{{/if}}
{{/each}}
{{#each annotations}}
    <annotation name="{{{name}}}" value="{{{value}}}"/>
{{/each}}
  </interface>
`;

/** The whole file; `interface` is {@link DBUS_INTERFACE_TEMPLATE}. */
export const DBUS_TEMPLATE = `<!-- {{{preamble}}} -->
<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
{{{doc}}}<node{{{nodeAttrs}}}>
{{#each interfaces}}
{{> interface}}
{{/each}}
</node>
`;
