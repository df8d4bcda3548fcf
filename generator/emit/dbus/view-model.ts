/**
 * Model → D-Bus view model: everything the template prints, escaped and laid
 * out. First-class facts become the standard annotations
 * (org.freedesktop.DBus.Deprecated, Method.NoReply,
 * Property.EmitsChangedSignal) followed by the generic ones in order.
 */
import type { ArgModel, DbusAnnotation, Docs, InterfaceModel, MemberModel, Model, PackageModel, PropertyModel, TypeModel } from "../../model.js";
import { dbusSignature } from "../../targets/dbus-signature.js";
import { commentBlock, escapeXml } from "../xml/escape.js";

/** An `<annotation>`. */
export interface AnnotationView {
  name: string;
  value: string;
}

/** An `<arg>`. */
export interface ArgView {
  doc: string;
  attrs: string;
  openEnd: "/>" | ">";
  hasChildren: boolean;
  annotations: AnnotationView[];
}

/** A method, signal or property element. */
export interface MemberView {
  doc: string;
  element: "method" | "signal" | "property";
  name: string;
  attrs: string;
  openEnd: "/>" | ">";
  hasChildren: boolean;
  args: ArgView[];
  annotations: AnnotationView[];
}

/** An `<interface>`. */
export interface InterfaceView {
  doc: string;
  name: string;
  members: MemberView[];
  annotations: AnnotationView[];
}

/** The whole file. */
export interface DbusFileView {
  preamble: string;
  doc: string;
  nodeAttrs: string;
  interfaces: InterfaceView[];
}

function attr(name: string, value: string | undefined): string {
  return value === undefined ? "" : ` ${name}="${escapeXml(value)}"`;
}

function annotationViews(list: readonly DbusAnnotation[]): AnnotationView[] {
  return list.map((a) => ({ name: escapeXml(a.name), value: escapeXml(a.value) }));
}

function docText(docs: Docs, indent: string): string {
  return docs.raw !== undefined ? commentBlock([docs.raw], indent) : commentBlock([docs.summary, docs.description], indent);
}

/**
 * The signature of an argument or property type as the XML writes it. Every
 * consumer of D-Bus signatures (this view, the TypeScript emitter's D-Bus
 * descriptor) calls this one function, so they can never disagree.
 */
export function typeSignature(model: Model, type: TypeModel): string {
  const r = dbusSignature(model, type);
  // Checked models always map; "v" keeps the output well-formed if an emitter is misused.
  return r.ok ? r.signature : "v";
}

function argView(model: Model, a: ArgModel, direction: "in" | "out" | undefined): ArgView {
  const name = a.targets.dbus.name === "" ? undefined : a.targets.dbus.name;
  const annotations = annotationViews(a.targets.dbus.annotations);
  const hasChildren = annotations.length > 0;
  return {
    doc: docText(a.docs, "      "),
    attrs: attr("name", name) + attr("type", typeSignature(model, a.type)) + attr("direction", direction),
    openEnd: hasChildren ? ">" : "/>",
    hasChildren,
    annotations,
  };
}

const EMITS_CHANGED = "org.freedesktop.DBus.Property.EmitsChangedSignal";

/**
 * What a property does on change, at run time: the value written in the IDL, else "false" (see
 * `standard`: the XML then says "false" too, or carries a verbatim value the resolver did not
 * recognise, which a server cannot act on).
 */
export function emitsChangedSignal(m: PropertyModel): "true" | "invalidates" | "const" | "false" {
  return m.emitsChanged ?? "false";
}

function standard(m: MemberModel): DbusAnnotation[] {
  const out: DbusAnnotation[] = [];
  if (m.deprecated !== undefined) out.push({ name: "org.freedesktop.DBus.Deprecated", value: "true" });
  if (m.kind === "method" && m.oneway) out.push({ name: "org.freedesktop.DBus.Method.NoReply", value: "true" });
  if (m.kind === "property") {
    // The D-Bus default is "true": left out, GDBus and Qt proxies would wait for a PropertiesChanged
    // that a property without `notify` never sends. So the value is always written, unless the
    // property carries a verbatim one (a value the resolver did not recognise, kept as written).
    const verbatim = m.targets.dbus.annotations.some((a) => a.name === EMITS_CHANGED);
    const value = verbatim && m.emitsChanged === undefined ? undefined : emitsChangedSignal(m);
    if (value !== undefined) out.push({ name: EMITS_CHANGED, value });
  }
  return out;
}

function memberView(model: Model, m: MemberModel): MemberView {
  const annotations = annotationViews([...standard(m), ...m.targets.dbus.annotations]);
  let args: ArgView[] = [];
  let attrs = "";
  if (m.kind === "method") {
    args = [...m.inArgs.map((a) => argView(model, a, "in")), ...m.outArgs.map((a) => argView(model, a, "out"))];
  } else if (m.kind === "signal") {
    args = m.args.map((a) => argView(model, a, undefined));
  } else {
    attrs = attr("type", typeSignature(model, m.type)) + attr("access", m.access);
  }
  return {
    doc: docText(m.docs, "    "),
    element: m.kind,
    name: escapeXml(m.targets.dbus.name),
    attrs,
    openEnd: args.length + annotations.length > 0 ? ">" : "/>",
    hasChildren: args.length + annotations.length > 0,
    args,
    annotations,
  };
}

/**
 * `@dbus(object_manager = true)` in the XML: the object serving the interface is an
 * org.freedesktop.DBus.ObjectManager. That interface itself is standard (the runtime adds its
 * element to the object's introspection, as GDBus does, beside Properties and Peer); the
 * annotation records the fact in the contract, and `nova-gen import dbus` reads it back.
 */
export const OBJECT_MANAGER_ANNOTATION = "org.novade.IPC.ObjectManager";

/** The view of one interface (the `interface` partial). */
export function interfaceView(model: Model, iface: InterfaceModel): InterfaceView {
  const std: DbusAnnotation[] = iface.deprecated !== undefined ? [{ name: "org.freedesktop.DBus.Deprecated", value: "true" }] : [];
  if (iface.dbusObjectManager) std.push({ name: OBJECT_MANAGER_ANNOTATION, value: "true" });
  return {
    doc: docText(iface.docs, "  "),
    name: escapeXml(iface.targets.dbus.name),
    members: iface.members.map((m) => memberView(model, m)),
    annotations: annotationViews([...std, ...iface.targets.dbus.annotations]),
  };
}

/** The view of one package's D-Bus file (only its `@dbus` interfaces). */
export function dbusFileView(model: Model, pkg: PackageModel, preamble: string): DbusFileView {
  return {
    preamble: escapeXml(preamble).replace(/--/g, "- -"),
    doc: docText(pkg.docs, ""),
    nodeAttrs: attr("name", pkg.dbusNode),
    interfaces: pkg.interfaces.filter((i) => i.exportedTo.includes("dbus") && !i.external).map((i) => interfaceView(model, i)),
  };
}
