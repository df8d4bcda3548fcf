/**
 * A small, typed XML tree over fast-xml-parser, shared by the D-Bus and Wayland readers.
 *
 * fast-xml-parser's ordered output is loosely typed (`Record<string, unknown>[]`); this module is the one
 * place that touches it, so the dialect readers work on plain typed nodes with source offsets.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** An element with attributes in source order and its child nodes. */
export interface XmlElement {
  readonly kind: "element";
  readonly name: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlNode[];
  /** Offset of the `<` that opens the element in the source text. */
  readonly offset: number;
}

/** Character data (entities already decoded). */
export interface XmlText {
  readonly kind: "text";
  readonly text: string;
}

/** An XML comment `<!-- … -->`: D-Bus files put their docs there. */
export interface XmlComment {
  readonly kind: "comment";
  readonly text: string;
}

/** Any node of the tree. */
export type XmlNode = XmlElement | XmlText | XmlComment;

/** A problem found while reading XML: a message and where. */
export interface XmlProblem {
  readonly message: string;
  readonly offset: number;
  readonly severity: "error" | "warning";
}

/** Result of {@link parseXmlTree}: the document's top-level nodes, or problems when it is not well-formed. */
export interface XmlTreeResult {
  readonly nodes: readonly XmlNode[];
  readonly problems: readonly XmlProblem[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  commentPropName: "#comment",
  captureMetaData: true,
  trimValues: false,
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

/** Convert a 1-based line/column (what the validator reports) to an offset. */
function offsetOf(text: string, line: number, col: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + Math.max(0, col - 1));
}

/** Parse XML text into a typed tree; malformed XML yields a problem, never an exception. */
export function parseXmlTree(text: string): XmlTreeResult {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    return { nodes: [], problems: [{ message: `malformed XML: ${msg}`, offset: offsetOf(text, line, col), severity: "error" }] };
  }
  try {
    const raw = parser.parse(text) as unknown[];
    return { nodes: convert(raw), problems: [] };
  } catch (e) {
    return { nodes: [], problems: [{ message: `malformed XML: ${(e as Error).message}`, offset: 0, severity: "error" }] };
  }
}

function convert(raw: unknown[]): XmlNode[] {
  const out: XmlNode[] = [];
  for (const item of raw) {
    if (item === null || typeof item !== "object") continue;
    const rec = item as Record<string | symbol, unknown>;
    const key = Object.keys(rec).find((k) => k !== ":@");
    if (key === undefined) continue;
    const body = rec[key];
    if (key === "#text") {
      out.push({ kind: "text", text: String(body) });
    } else if (key === "#comment") {
      const parts = Array.isArray(body) ? body : [];
      const text = parts.map((p) => String((p as Record<string, unknown>)["#text"] ?? "")).join("");
      out.push({ kind: "comment", text });
    } else {
      const attrsRaw = (rec[":@"] ?? {}) as Record<string, unknown>;
      const attrs = new Map<string, string>();
      for (const [k, v] of Object.entries(attrsRaw)) attrs.set(k, String(v));
      const meta = rec[META] as { startIndex?: number } | undefined;
      out.push({
        kind: "element",
        name: key,
        attrs,
        children: convert(Array.isArray(body) ? body : []),
        offset: meta?.startIndex ?? 0,
      });
    }
  }
  return out;
}

/** The element children of a node list. */
export function elementsOf(nodes: readonly XmlNode[]): XmlElement[] {
  return nodes.filter((n): n is XmlElement => n.kind === "element");
}

/** All character data directly inside an element (comments inside text are dropped, as XML says they are not text). */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (c.kind === "text" ? c.text : "")).join("");
}

/**
 * Shared base of the D-Bus and Wayland XML readers: collects problems instead
 * of throwing, and reads required attributes with a located problem when absent.
 */
export class XmlProblemCollector {
  readonly problems: XmlProblem[] = [];

  problem(message: string, offset: number, severity: "error" | "warning" = "error"): void {
    this.problems.push({ message, offset, severity });
  }

  required(el: XmlElement, attr: string): string {
    const v = el.attrs.get(attr);
    if (v === undefined) {
      this.problem(`<${el.name}> lacks the required attribute "${attr}"`, el.offset);
      return "";
    }
    return v;
  }
}
