/**
 * The Wayland protocol template. No logic beyond iteration over the prepared
 * view model (`view-model.ts`): values are escaped, description texts laid
 * out, and `openEnd` is `/>` or `>` as the element needs.
 */
export const WAYLAND_TEMPLATE = `<!-- {{{preamble}}} -->
<protocol name="{{{name}}}">
{{#if copyright}}
  <copyright>{{{copyright}}}</copyright>
{{/if}}
{{#if description}}
  <description summary="{{{description.summary}}}">{{{description.text}}}</description>
{{/if}}
{{#each interfaces}}

  <interface name="{{{name}}}" version="{{{version}}}">
{{#if description}}
    <description summary="{{{description.summary}}}">{{{description.text}}}</description>
{{/if}}
{{#each items}}

    <{{{element}}} name="{{{name}}}"{{{attrs}}}{{{openEnd}}}
{{#if description}}
      <description summary="{{{description.summary}}}">{{{description.text}}}</description>
{{/if}}
{{#each args}}
      <arg{{{attrs}}}/>
{{/each}}
{{#each entries}}
      <entry{{{attrs}}}{{{openEnd}}}
{{#if description}}
        <description summary="{{{description.summary}}}">{{{description.text}}}</description>
{{/if}}
{{#if hasChildren}}
      </entry>
{{/if}}
{{/each}}
{{#if hasChildren}}
    </{{{element}}}>
{{/if}}
{{/each}}
  </interface>
{{/each}}
</protocol>
`;
