/**
 * Wayland protocol XML → a plain typed model (no NIDL yet).
 *
 * Mirrors wayland-scanner's protocol model: what the XML says, attribute values kept as written (an entry
 * value of `0x10` stays `"0x10"`), with source offsets so later stages can point into the XML.
 */
import { parseWaylandValue } from "../targets/wayland-enum-value.js";
import { elementsOf, parseXmlTree, textOf, XmlProblemCollector, type XmlElement, type XmlNode, type XmlProblem } from "./xml-tree.js";

/** `<description summary="…">text</description>`, or a bare `summary=` attribute (then `text` is undefined). */
export interface WlDoc {
  readonly summary: string | undefined;
  /** The element's text as written (indented), undefined when there was no `<description>` element. */
  readonly text: string | undefined;
  /** XML comments inside the description (not part of its text; presentation-time has section titles there). */
  readonly comments?: readonly string[];
}

/** One `<arg>`. */
export interface WlArgXml {
  readonly name: string;
  readonly type: string;
  readonly interface: string | undefined;
  readonly allowNull: boolean;
  readonly enum: string | undefined;
  readonly doc: WlDoc;
  readonly offset: number;
}

/** A `<request>` or an `<event>`. */
export interface WlMessageXml {
  readonly kind: "request" | "event";
  readonly name: string;
  readonly destructor: boolean;
  readonly since: number | undefined;
  readonly deprecatedSince: number | undefined;
  readonly doc: WlDoc;
  readonly args: readonly WlArgXml[];
  /** Comments directly before the element (e.g. `<!-- Version 3 additions -->`). */
  readonly comments: readonly string[];
  readonly offset: number;
}

/**
 * One `<entry>` of an enum; `value` as written, `numeric` when it reads as a value (a C integer constant
 * expression such as `1 << 3`, see {@link parseWaylandValue}) and fits a JS number, as the semantic XML
 * comparisons need it.
 */
export interface WlEntryXml {
  readonly name: string;
  readonly value: string;
  readonly numeric: number | undefined;
  readonly since: number | undefined;
  readonly deprecatedSince: number | undefined;
  readonly doc: WlDoc;
  readonly comments: readonly string[];
  readonly offset: number;
}

/** One `<enum>`. */
export interface WlEnumXml {
  readonly kind: "enum";
  readonly name: string;
  readonly bitfield: boolean;
  readonly since: number | undefined;
  readonly doc: WlDoc;
  readonly entries: readonly WlEntryXml[];
  readonly comments: readonly string[];
  readonly offset: number;
}

/** Any member of an interface, in document order. */
export type WlMemberXml = WlMessageXml | WlEnumXml;

/** One `<interface>`. */
export interface WlInterfaceXml {
  readonly name: string;
  readonly version: number;
  readonly doc: WlDoc;
  readonly members: readonly WlMemberXml[];
  readonly comments: readonly string[];
  readonly offset: number;
}

/** A whole `<protocol>`. */
export interface WlProtocolXml {
  readonly name: string;
  /** Comments before the root element and between `<protocol>` and its first interface's own comments. */
  readonly comments: readonly string[];
  readonly copyright: string | undefined;
  readonly doc: WlDoc;
  readonly interfaces: readonly WlInterfaceXml[];
  readonly offset: number;
}

/** Result of {@link readWaylandXml}. */
export interface WlReadResult {
  readonly protocol: WlProtocolXml | undefined;
  readonly problems: readonly XmlProblem[];
}

/** Parse an integer the way wayland-scanner does (decimal, or hex with 0x); undefined for anything else. */
export function parseWlInteger(text: string): number | undefined {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^-?\d+$/.test(t)) return Number.parseInt(t, 10);
  return undefined;
}

function numericValue(text: string): number | undefined {
  const r = parseWaylandValue(text);
  return r.ok && r.value >= BigInt(Number.MIN_SAFE_INTEGER) && r.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r.value) : undefined;
}

/** Requests/events of an interface in order (opcode order). */
export function messagesOf(iface: WlInterfaceXml, kind: "request" | "event"): WlMessageXml[] {
  return iface.members.filter((m): m is WlMessageXml => m.kind === kind);
}

/** Enums of an interface in order. */
export function enumsOf(iface: WlInterfaceXml): WlEnumXml[] {
  return iface.members.filter((m): m is WlEnumXml => m.kind === "enum");
}

class Reader extends XmlProblemCollector {

  int(el: XmlElement, attr: string): number | undefined {
    const v = el.attrs.get(attr);
    if (v === undefined) return undefined;
    const n = parseWlInteger(v);
    if (n === undefined || n < 0) this.problem(`<${el.name}> ${attr}="${v}" is not a non-negative integer`, el.offset);
    return n;
  }

  bool(el: XmlElement, attr: string): boolean {
    const v = el.attrs.get(attr);
    if (v === undefined) return false;
    if (v !== "true" && v !== "false") this.problem(`<${el.name}> ${attr}="${v}" must be "true" or "false"`, el.offset);
    return v === "true";
  }

  unknown(el: XmlElement, allowed: readonly string[], attrs: readonly string[]): void {
    for (const c of elementsOf(el.children)) {
      if (!allowed.includes(c.name)) this.problem(`unknown element <${c.name}> inside <${el.name}> is not kept`, c.offset, "warning");
    }
    for (const a of el.attrs.keys()) {
      if (!attrs.includes(a)) this.problem(`unknown attribute "${a}" on <${el.name}> is not kept`, el.offset, "warning");
    }
  }

  doc(el: XmlElement): WlDoc {
    const d = elementsOf(el.children).find((c) => c.name === "description");
    if (d === undefined) return { summary: el.attrs.get("summary"), text: undefined };
    this.unknown(d, [], ["summary"]);
    return { summary: d.attrs.get("summary"), text: textOf(d), comments: commentsOf(d) };
  }

  arg(el: XmlElement): WlArgXml {
    this.unknown(el, ["description"], ["name", "type", "interface", "allow-null", "enum", "summary"]);
    const desc = elementsOf(el.children).find((c) => c.name === "description");
    return {
      name: this.required(el, "name"),
      type: this.required(el, "type"),
      interface: el.attrs.get("interface"),
      allowNull: this.bool(el, "allow-null"),
      enum: el.attrs.get("enum"),
      doc: desc ? { summary: desc.attrs.get("summary") ?? el.attrs.get("summary"), text: textOf(desc), comments: commentsOf(desc) } : { summary: el.attrs.get("summary"), text: undefined },
      offset: el.offset,
    };
  }

  message(el: XmlElement, kind: "request" | "event", comments: string[]): WlMessageXml {
    this.unknown(el, ["description", "arg"], ["name", "type", "since", "deprecated-since"]);
    const type = el.attrs.get("type");
    if (type !== undefined && type !== "destructor") this.problem(`<${kind}> type="${type}" is not "destructor"`, el.offset);
    return {
      kind,
      name: this.required(el, "name"),
      destructor: type === "destructor",
      since: this.int(el, "since"),
      deprecatedSince: this.int(el, "deprecated-since"),
      doc: this.doc(el),
      args: elementsOf(el.children).filter((c) => c.name === "arg").map((a) => this.arg(a)),
      comments,
      offset: el.offset,
    };
  }

  entry(el: XmlElement, comments: string[]): WlEntryXml {
    this.unknown(el, ["description"], ["name", "value", "summary", "since", "deprecated-since"]);
    const value = this.required(el, "value");
    return {
      name: this.required(el, "name"),
      value,
      numeric: numericValue(value),
      since: this.int(el, "since"),
      deprecatedSince: this.int(el, "deprecated-since"),
      doc: this.doc(el),
      comments,
      offset: el.offset,
    };
  }

  enumeration(el: XmlElement, comments: string[]): WlEnumXml {
    this.unknown(el, ["description", "entry"], ["name", "since", "bitfield"]);
    return {
      kind: "enum",
      name: this.required(el, "name"),
      bitfield: this.bool(el, "bitfield"),
      since: this.int(el, "since"),
      doc: this.doc(el),
      entries: withComments(el.children, "entry").map(([e, c]) => this.entry(e, c)),
      comments,
      offset: el.offset,
    };
  }

  iface(el: XmlElement, comments: string[]): WlInterfaceXml {
    this.unknown(el, ["description", "request", "event", "enum"], ["name", "version"]);
    const members: WlMemberXml[] = [];
    for (const [m, c] of withComments(el.children, "request", "event", "enum")) {
      if (m.name === "enum") members.push(this.enumeration(m, c));
      else members.push(this.message(m, m.name as "request" | "event", c));
    }
    const version = this.int(el, "version");
    if (!el.attrs.has("version")) this.problem(`<interface> lacks the required attribute "version"`, el.offset);
    return { name: this.required(el, "name"), version: version ?? 1, doc: this.doc(el), members, comments, offset: el.offset };
  }

  protocol(el: XmlElement, before: readonly string[]): WlProtocolXml {
    this.unknown(el, ["copyright", "description", "interface"], ["name"]);
    const copyright = elementsOf(el.children).find((c) => c.name === "copyright");
    // Comments up to the last element before the first interface belong to the protocol (`<!-- wrap:70 -->`);
    // the ones right before an interface are that interface's.
    const comments = [...before];
    let pending: string[] = [];
    for (const n of el.children) {
      if (n.kind === "comment") pending.push(n.text);
      else if (n.kind === "element") {
        if (n.name === "interface") break;
        comments.push(...pending);
        pending = [];
      }
    }
    return {
      name: this.required(el, "name"),
      comments,
      copyright: copyright ? textOf(copyright) : undefined,
      doc: this.doc(el),
      interfaces: withComments(el.children, "interface").map(([i, c]) => this.iface(i, c)),
      offset: el.offset,
    };
  }
}

function commentsOf(el: XmlElement): string[] {
  return el.children.flatMap((c) => (c.kind === "comment" ? [c.text] : []));
}

/** Pair each element of the wanted names with the comments written since the previous element. */
function withComments(nodes: readonly XmlNode[], ...names: string[]): [XmlElement, string[]][] {
  const out: [XmlElement, string[]][] = [];
  let pending: string[] = [];
  for (const n of nodes) {
    if (n.kind === "comment") pending.push(n.text);
    else if (n.kind === "element") {
      if (names.includes(n.name)) out.push([n, pending]);
      pending = [];
    }
  }
  return out;
}

/** Read a Wayland protocol XML document. Never throws: malformed input gives problems. */
export function readWaylandXml(text: string): WlReadResult {
  const tree = parseXmlTree(text);
  if (tree.problems.length > 0) return { protocol: undefined, problems: tree.problems };
  const reader = new Reader();
  const roots = elementsOf(tree.nodes);
  const root = roots.find((r) => r.name === "protocol");
  if (root === undefined || roots.length !== 1) {
    reader.problem("a Wayland protocol file has exactly one root element <protocol>", roots[0]?.offset ?? 0);
    return { protocol: undefined, problems: reader.problems };
  }
  const before = tree.nodes.slice(0, tree.nodes.indexOf(root)).flatMap((n) => (n.kind === "comment" ? [n.text] : []));
  return { protocol: reader.protocol(root, before), problems: reader.problems };
}
