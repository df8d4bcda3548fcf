/**
 * Model → Wayland view model. Requests, events and enums keep declaration
 * order (opcodes follow it per kind); docs become `<description>` elements
 * and `summary=` attributes; enum references across interfaces are written
 * `iface.enum`.
 */
import type { ArgModel, Deprecation, Docs, EnumModel, InterfaceModel, MethodModel, Model, PackageModel, SignalModel } from "../../model.js";
import { waylandArgEnum, waylandArgInterface, waylandArgType } from "../../targets/wayland-types.js";
import { parseWaylandValue } from "../../targets/wayland-enum-value.js";
import { escapeXml, escapeXmlText, indentLines } from "../xml/escape.js";

/** A `<description>`: summary attribute and laid-out text. */
export interface DescriptionView {
  summary: string;
  text: string;
}

/** One `<arg>`, `<entry>` or item attribute set. */
export interface ArgView {
  attrs: string;
}

/** An `<entry>`. */
export interface EntryView {
  attrs: string;
  openEnd: "/>" | ">";
  hasChildren: boolean;
  description: DescriptionView | undefined;
}

/** A request, event or enum. */
export interface ItemView {
  element: "request" | "event" | "enum";
  name: string;
  attrs: string;
  openEnd: "/>" | ">";
  hasChildren: boolean;
  description: DescriptionView | undefined;
  args: ArgView[];
  entries: EntryView[];
}

/** An `<interface>`. */
export interface InterfaceView {
  name: string;
  version: string;
  description: DescriptionView | undefined;
  items: ItemView[];
}

/** The whole protocol file. */
export interface WaylandFileView {
  preamble: string;
  name: string;
  copyright: string | undefined;
  description: DescriptionView | undefined;
  interfaces: InterfaceView[];
}

/** How deprecations are written: wayland-scanner before 1.22 rejects `deprecated-since` under `-s`. */
export interface WaylandViewOptions {
  deprecatedSinceAttribute: boolean;
}

function attr(name: string, value: string | number | undefined): string {
  return value === undefined ? "" : ` ${name}="${escapeXml(String(value))}"`;
}

function block(text: string | undefined, indent: string): string {
  if (text === undefined || text.trim() === "") return "";
  return `\n${indentLines(escapeXmlText(text).split("\n"), indent + "  ").join("\n")}\n${indent}`;
}

function deprecationNote(dep: Deprecation | undefined, opts: WaylandViewOptions): string | undefined {
  if (dep === undefined || (dep.since !== undefined && opts.deprecatedSinceAttribute)) return undefined;
  const when = dep.since === undefined ? "Deprecated." : `Deprecated since version ${dep.since}.`;
  return dep.reason === undefined ? when : `${when} ${dep.reason}`;
}

function description(docs: Docs, indent: string, extra?: string): DescriptionView | undefined {
  const text = [docs.description, extra].filter((t) => t !== undefined).join("\n\n") || undefined;
  if (docs.summary === undefined && text === undefined) return undefined;
  return { summary: escapeXml(docs.summary ?? ""), text: block(text, indent) };
}

function enumAttr(model: Model, arg: ArgModel, iface: InterfaceModel): string | undefined {
  const e = waylandArgEnum(model, arg);
  if (e === undefined) return undefined;
  return e.owner === undefined || e.ownerQualified === iface.qualifiedName ? e.name : `${e.owner}.${e.name}`;
}

function argView(model: Model, a: ArgModel, iface: InterfaceModel): ArgView {
  const t = waylandArgType(model, a);
  return {
    attrs:
      attr("name", a.targets.wayland.name) +
      attr("type", t.ok ? t.type : "uint") +
      attr("interface", waylandArgInterface(model, a)) +
      attr("allow-null", a.allowNull ? "true" : undefined) +
      attr("enum", enumAttr(model, a, iface)) +
      attr("summary", a.docs.summary),
  };
}

function memberItem(model: Model, m: MethodModel | SignalModel, iface: InterfaceModel, opts: WaylandViewOptions): ItemView {
  const args = (m.kind === "method" ? m.inArgs : m.args).map((a) => argView(model, a, iface));
  const desc = description(m.docs, "      ", deprecationNote(m.deprecated, opts));
  const hasChildren = args.length > 0 || desc !== undefined;
  return {
    element: m.kind === "method" ? "request" : "event",
    name: escapeXml(m.targets.wayland.name),
    attrs:
      attr("type", m.destructor ? "destructor" : undefined) +
      attr("since", m.since) +
      attr("deprecated-since", opts.deprecatedSinceAttribute ? m.deprecated?.since : undefined),
    openEnd: hasChildren ? ">" : "/>",
    hasChildren,
    description: desc,
    args,
    entries: [],
  };
}

/**
 * An entry's value as the XML writes it: the NIDL expression as written when it is also a C integer constant
 * wayland-scanner can copy (`0x10`, `1 << 4`, `(1 << 2) | 1`: an imported value comes back as it was), else
 * the evaluated number (names of other entries, `~`, `0o17`, `1_000` mean nothing, or something else, in C).
 */
function entryValue(valueText: string, value: bigint): string {
  const r = parseWaylandValue(valueText);
  return r.ok && r.value === value ? valueText : value.toString();
}

function enumItem(e: EnumModel, opts: WaylandViewOptions): ItemView {
  const entries: EntryView[] = e.entries.map((x) => {
    const desc = x.docs.description !== undefined || deprecationNote(x.deprecated, opts) !== undefined
      ? description(x.docs, "        ", deprecationNote(x.deprecated, opts))
      : undefined;
    return {
      attrs:
        attr("name", x.targets.wayland.name) +
        attr("value", entryValue(x.valueText, x.value)) +
        attr("summary", x.docs.summary) +
        attr("since", x.since) +
        attr("deprecated-since", opts.deprecatedSinceAttribute ? x.deprecated?.since : undefined),
      openEnd: desc ? ">" : "/>",
      hasChildren: desc !== undefined,
      description: desc,
    };
  });
  const desc = description(e.docs, "      ", deprecationNote(e.deprecated, opts));
  return {
    element: "enum",
    name: escapeXml(e.targets.wayland.name),
    attrs: attr("since", e.since) + attr("bitfield", e.bitfield ? "true" : undefined),
    openEnd: entries.length > 0 || desc ? ">" : "/>",
    hasChildren: entries.length > 0 || desc !== undefined,
    description: desc,
    args: [],
    entries,
  };
}

function interfaceView(model: Model, iface: InterfaceModel, opts: WaylandViewOptions): InterfaceView {
  const declared = [
    ...iface.members.filter((m): m is MethodModel | SignalModel => m.kind !== "property").map((m) => ({ at: m.span.start, since: m.since, view: memberItem(model, m, iface, opts) })),
    ...iface.enums.map((e) => ({ at: e.span.start, since: undefined as number | undefined, view: enumItem(e, opts) })),
  ].sort((a, b) => a.at - b.at);
  // wayland-scanner warns when `since` decreases along the file across requests and events together.
  // Requests and events are each already non-decreasing (checked), so a stable sort by since keeps
  // every opcode order; an enum inherits the since of the item before it so it stays in place.
  let last = 1;
  const keyed = declared.map((d) => {
    last = d.view.element === "enum" ? last : d.since ?? 1;
    return { key: last, view: d.view };
  });
  const items = keyed.map((k, i) => ({ ...k, i })).sort((a, b) => a.key - b.key || a.i - b.i);
  return {
    name: escapeXml(iface.targets.wayland.name),
    version: String(iface.version),
    description: description(iface.docs, "    ", deprecationNote(iface.deprecated, opts)),
    items: items.map((i) => i.view),
  };
}

/** The view of one package's protocol (its `@wayland` interfaces). */
export function waylandFileView(model: Model, pkg: PackageModel, preamble: string, opts: WaylandViewOptions): WaylandFileView {
  return {
    preamble: escapeXml(preamble).replace(/--/g, "- -"),
    name: escapeXml(pkg.waylandProtocol),
    copyright: pkg.copyright === undefined ? undefined : block(pkg.copyright, "  "),
    description: description(pkg.docs, "  "),
    interfaces: pkg.interfaces.filter((i) => i.exportedTo.includes("wayland") && !i.external).map((i) => interfaceView(model, i, opts)),
  };
}
