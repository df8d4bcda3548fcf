/**
 * Model → the D-Bus descriptor of one `@dbus` interface (the data type is
 * runtime/dbus/descriptor.ts). The TypeScript emitter prints it beside the
 * interface's client and server; the runtime serves and calls with it.
 *
 * Names, signatures, EmitsChangedSignal and the `<interface>` XML come from
 * the same functions the XML emitter uses (`view-model.ts`, `index.ts`), so
 * what is introspected and what travels cannot drift apart.
 */
import type { ArgModel, ErrorModel, InterfaceModel, Model, TypeModel } from "../../model.js";
import { lookupDecl } from "../../model.js";
import type { DbusArg, DbusBasicType, DbusDeclaredError, DbusInterfaceDescriptor, DbusType } from "../../../runtime/dbus/descriptor.js";
import { dbusSignature } from "../../targets/dbus-signature.js";
import { dbusInterfaceXml } from "./index.js";
import { emitsChangedSignal, typeSignature } from "./view-model.js";

/** The conversion tree of a type (see `DbusType`). */
export function dbusTypeTree(model: Model, t: TypeModel): DbusType {
  switch (t.kind) {
    case "primitive":
      if (t.name === "bytes") return "ay";
      if (t.name === "variant") return "v";
      return typeSignature(model, t) as DbusBasicType;
    case "enum":
      // Enums and flags travel as their underlying integer, as the XML says.
      return typeSignature(model, t) as DbusBasicType;
    case "list":
      return { list: dbusTypeTree(model, t.element) };
    case "map":
      return { map: [dbusTypeTree(model, t.key), dbusTypeTree(model, t.value)] };
    case "tuple":
      return { tuple: t.elements.map((e) => dbusTypeTree(model, e)) };
    case "struct": {
      const decl = lookupDecl(model, t.ref, "struct");
      return { struct: decl.qualifiedName, fields: decl.fields.map((f) => [f.name, dbusTypeTree(model, f.type)] as const) };
    }
    default:
      // optional, object, new_id: rejected on @dbus interfaces by the D-Bus target check; "v" matches the XML's fallback.
      return "v";
  }
}

function args(model: Model, list: readonly ArgModel[]): DbusArg[] {
  return list.map((a) => ({ name: a.targets.dbus.name, signature: typeSignature(model, a.type), type: dbusTypeTree(model, a.type) }));
}

function declaredError(model: Model, e: ErrorModel): DbusDeclaredError {
  const sigs = e.fields.map((f) => dbusSignature(model, f.type));
  const carried = sigs.every((s) => s.ok);
  return {
    name: e.dbusErrorName,
    nidlName: e.qualifiedName,
    signature: carried ? `s${sigs.map((s) => (s.ok ? s.signature : "")).join("")}` : "s",
    fields: carried ? e.fields.map((f) => [f.name, dbusTypeTree(model, f.type)] as const) : undefined,
  };
}

/** The descriptor of a `@dbus` interface. */
export function dbusDescriptor(model: Model, iface: InterfaceModel): DbusInterfaceDescriptor {
  const errors = new Map<string, DbusDeclaredError>();
  for (const m of iface.methods) {
    for (const ref of m.throws) if (!errors.has(ref.qualifiedName)) errors.set(ref.qualifiedName, declaredError(model, lookupDecl(model, ref, "error")));
  }
  const errorName = (qualifiedName: string): string => (errors.get(qualifiedName) as DbusDeclaredError).name;
  return {
    interface: iface.targets.dbus.name,
    nidlName: iface.qualifiedName,
    path: iface.dbusPath,
    // Only when asked, so descriptors of every other interface stay as they were.
    ...(iface.dbusObjectManager ? { objectManager: true } : {}),
    methods: iface.methods.map((m) => {
      const inArgs = args(model, m.inArgs);
      const outArgs = args(model, m.outArgs);
      return {
        name: m.targets.dbus.name,
        member: m.name,
        in: inArgs,
        out: outArgs,
        inSignature: inArgs.map((a) => a.signature).join(""),
        outSignature: outArgs.map((a) => a.signature).join(""),
        noReply: m.oneway,
        errors: m.throws.map((ref) => errorName(ref.qualifiedName)),
      };
    }),
    signals: iface.signals.map((s) => {
      const list = args(model, s.args);
      return { name: s.targets.dbus.name, member: s.name, signature: list.map((a) => a.signature).join(""), args: list };
    }),
    properties: iface.properties.map((p) => ({
      name: p.targets.dbus.name,
      member: p.name,
      signature: typeSignature(model, p.type),
      type: dbusTypeTree(model, p.type),
      access: p.access,
      emitsChanged: emitsChangedSignal(p),
    })),
    errors: [...errors.values()],
    xml: dbusInterfaceXml(model, iface),
  };
}
