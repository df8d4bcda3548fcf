/**
 * D-Bus introspection XML → a plain typed model (no NIDL yet).
 *
 * Docs in real files live in XML comments right before an element (gtk-doc style), in
 * `org.gtk.GDBus.DocString` annotations (kept as annotations) or in `<doc:doc>` elements (kept as text).
 */
import { elementsOf, parseXmlTree, textOf, XmlProblemCollector, type XmlElement, type XmlNode, type XmlProblem } from "./xml-tree.js";

/** `<annotation name value/>`. */
export interface DbusAnnotationXml {
  readonly name: string;
  readonly value: string;
  readonly offset: number;
}

/** One `<arg>`; direction is undefined when the attribute is absent. */
export interface DbusArgXml {
  readonly name: string | undefined;
  readonly type: string;
  readonly direction: "in" | "out" | undefined;
  readonly annotations: readonly DbusAnnotationXml[];
  readonly doc: string | undefined;
  readonly offset: number;
}

/** A `<method>` or `<signal>`. */
export interface DbusMemberXml {
  readonly kind: "method" | "signal";
  readonly name: string;
  readonly args: readonly DbusArgXml[];
  readonly annotations: readonly DbusAnnotationXml[];
  readonly doc: string | undefined;
  readonly offset: number;
}

/** A `<property>`. */
export interface DbusPropertyXml {
  readonly kind: "property";
  readonly name: string;
  readonly type: string;
  readonly access: "read" | "write" | "readwrite";
  readonly annotations: readonly DbusAnnotationXml[];
  readonly doc: string | undefined;
  readonly offset: number;
}

/** Any member, in document order. */
export type DbusItemXml = DbusMemberXml | DbusPropertyXml;

/** One `<interface>`. */
export interface DbusInterfaceXml {
  readonly name: string;
  readonly members: readonly DbusItemXml[];
  readonly annotations: readonly DbusAnnotationXml[];
  readonly doc: string | undefined;
  readonly offset: number;
}

/** A `<node>` (possibly nested). */
export interface DbusNodeXml {
  readonly name: string | undefined;
  /** The comments before the root node (licence headers), joined; undefined for nested nodes or none. */
  readonly headerComment: string | undefined;
  readonly interfaces: readonly DbusInterfaceXml[];
  readonly nodes: readonly DbusNodeXml[];
  readonly offset: number;
}

/** Result of {@link readDbusXml}. */
export interface DbusReadResult {
  readonly node: DbusNodeXml | undefined;
  readonly problems: readonly XmlProblem[];
}

const ACCESS = new Set(["read", "write", "readwrite"]);

class Reader extends XmlProblemCollector {

  unknownAttrs(el: XmlElement, attrs: readonly string[]): void {
    for (const a of el.attrs.keys()) {
      if (!attrs.includes(a) && !a.startsWith("xmlns")) this.problem(`unknown attribute "${a}" on <${el.name}> is not kept`, el.offset, "warning");
    }
  }

  /** Walk children: collect annotations, docs (`<doc:doc>`), and report unknown elements. */
  children(el: XmlElement, allowed: readonly string[]): { annotations: DbusAnnotationXml[]; docElement: string | undefined; items: [XmlElement, string | undefined][] } {
    const annotations: DbusAnnotationXml[] = [];
    const items: [XmlElement, string | undefined][] = [];
    let docElement: string | undefined;
    let pending: string[] = [];
    for (const n of el.children) {
      if (n.kind === "comment") {
        pending.push(n.text);
        continue;
      }
      if (n.kind !== "element") continue;
      // A comment before an annotation or <doc:doc> still documents the next member.
      if (n.name !== "annotation" && n.name !== "doc:doc") {
        const doc = pending.length > 0 ? pending.join("\n") : undefined;
        pending = [];
        if (allowed.includes(n.name)) items.push([n, doc]);
        else this.problem(`unknown element <${n.name}> inside <${el.name}> is not kept`, n.offset, "warning");
        continue;
      }
      if (n.name === "annotation") {
        this.unknownAttrs(n, ["name", "value"]);
        annotations.push({ name: this.required(n, "name"), value: n.attrs.get("value") ?? "", offset: n.offset });
      } else if (n.name === "doc:doc") {
        docElement = docText(n);
      }
    }
    if (pending.length > 0) this.problem(`a comment after the last element of <${el.name}> documents nothing and is not kept`, el.offset, "warning");
    return { annotations, docElement, items };
  }

  arg(el: XmlElement, doc: string | undefined): DbusArgXml {
    this.unknownAttrs(el, ["name", "type", "direction"]);
    const c = this.children(el, []);
    const dir = el.attrs.get("direction");
    if (dir !== undefined && dir !== "in" && dir !== "out") this.problem(`<arg> direction="${dir}" must be "in" or "out"`, el.offset);
    return {
      name: el.attrs.get("name"),
      type: this.required(el, "type"),
      direction: dir === "in" || dir === "out" ? dir : undefined,
      annotations: c.annotations,
      doc: c.docElement ?? doc,
      offset: el.offset,
    };
  }

  member(el: XmlElement, doc: string | undefined): DbusItemXml {
    if (el.name === "property") {
      this.unknownAttrs(el, ["name", "type", "access"]);
      const c = this.children(el, []);
      const access = this.required(el, "access");
      if (!ACCESS.has(access)) this.problem(`<property> access="${access}" must be read, write or readwrite`, el.offset);
      return {
        kind: "property",
        name: this.required(el, "name"),
        type: this.required(el, "type"),
        access: (ACCESS.has(access) ? access : "read") as DbusPropertyXml["access"],
        annotations: c.annotations,
        doc: c.docElement ?? doc,
        offset: el.offset,
      };
    }
    this.unknownAttrs(el, ["name"]);
    const c = this.children(el, ["arg"]);
    return {
      kind: el.name as "method" | "signal",
      name: this.required(el, "name"),
      args: c.items.map(([a, d]) => this.arg(a, d)),
      annotations: c.annotations,
      doc: c.docElement ?? doc,
      offset: el.offset,
    };
  }

  iface(el: XmlElement, doc: string | undefined): DbusInterfaceXml {
    this.unknownAttrs(el, ["name"]);
    const c = this.children(el, ["method", "signal", "property"]);
    return {
      name: this.required(el, "name"),
      members: c.items.map(([m, d]) => this.member(m, d)),
      annotations: c.annotations,
      doc: c.docElement ?? doc,
      offset: el.offset,
    };
  }

  node(el: XmlElement, headerComment: string | undefined): DbusNodeXml {
    this.unknownAttrs(el, ["name"]);
    const c = this.children(el, ["interface", "node"]);
    for (const a of c.annotations) this.problem(`annotation "${a.name}" directly on <node> is not kept`, a.offset, "warning");
    return {
      name: el.attrs.get("name"),
      headerComment,
      interfaces: c.items.filter(([e]) => e.name === "interface").map(([e, d]) => this.iface(e, d)),
      nodes: c.items.filter(([e]) => e.name === "node").map(([e]) => this.node(e, undefined)),
      offset: el.offset,
    };
  }
}

/** `<doc:doc>` holds `<doc:para>`/`<doc:summary>` etc.: flatten to paragraphs of text. */
function docText(el: XmlElement): string {
  const parts: string[] = [];
  const walk = (nodes: readonly XmlNode[]): void => {
    for (const n of nodes) {
      if (n.kind === "element") {
        const t = textOf(n).trim();
        if (t) parts.push(t.replace(/\s+/g, " "));
        walk(n.children);
      }
    }
  };
  walk(el.children);
  return parts.join("\n\n");
}

/** Read a D-Bus introspection document. Never throws: malformed input gives problems. */
export function readDbusXml(text: string): DbusReadResult {
  const tree = parseXmlTree(text);
  if (tree.problems.length > 0) return { node: undefined, problems: tree.problems };
  const reader = new Reader();
  const roots = elementsOf(tree.nodes);
  const root = roots[0];
  if (root === undefined || root.name !== "node" || roots.length !== 1) {
    reader.problem("a D-Bus introspection file has exactly one root element <node>", root?.offset ?? 0);
    return { node: undefined, problems: reader.problems };
  }
  const header = tree.nodes.slice(0, tree.nodes.indexOf(root)).filter((n) => n.kind === "comment").map((n) => (n as { text: string }).text);
  return { node: reader.node(root, header.length > 0 ? header.join("\n") : undefined), problems: reader.problems };
}

/** Every interface of a node tree, depth first. */
export function allInterfaces(node: DbusNodeXml): DbusInterfaceXml[] {
  return [...node.interfaces, ...node.nodes.flatMap(allInterfaces)];
}
