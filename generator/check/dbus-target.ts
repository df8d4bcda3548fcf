/**
 * D-Bus expressibility, for interfaces exported with `@dbus`: every argument
 * and property type must have a D-Bus signature, names must be valid D-Bus
 * names, and Wayland-only constructs are reported by name.
 */
import type { InterfaceModel, Model, TypeModel } from "../model.js";
import type { Span } from "../ast.js";
import { error, warning, type Diagnostic } from "../diagnostics.js";
import { dbusSignature } from "../targets/dbus-signature.js";
import { argNoun, ifaceNoun, memberNoun } from "./describe.js";

const MEMBER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ELEMENT = "[A-Za-z_][A-Za-z0-9_]*";
const INTERFACE_NAME = new RegExp(`^${ELEMENT}(\\.${ELEMENT})+$`);
const OBJECT_PATH = /^\/$|^(\/[A-Za-z0-9_]+)+$/;

/** Checks every `@dbus` interface. */
export function checkDbusTarget(model: Model, diagnostics: Diagnostic[]): void {
  for (const pkg of model.packages) {
    if (pkg.dbusNode !== undefined && !OBJECT_PATH.test(pkg.dbusNode)) {
      diagnostics.push(error("NIDL3005", `"${pkg.dbusNode}" is not a valid D-Bus object path`, undefined));
    }
    for (const iface of pkg.interfaces) if (iface.exportedTo.includes("dbus") && !iface.external) checkInterface(model, iface, diagnostics);
  }
}

function checkInterface(model: Model, iface: InterfaceModel, diagnostics: Diagnostic[]): void {
  const name = iface.targets.dbus.name;
  if (!INTERFACE_NAME.test(name) || name.length > 255) {
    diagnostics.push(error("NIDL3005", `"${name}" is not a valid D-Bus interface name (dotted, at least two elements, no leading digits): ${ifaceNoun(iface)}`, iface.span));
  }
  if (iface.dbusPath !== undefined && !OBJECT_PATH.test(iface.dbusPath)) {
    diagnostics.push(error("NIDL3005", `"${iface.dbusPath}" is not a valid D-Bus object path`, iface.span));
  }
  const seen = new Map<string, string>();
  for (const m of iface.members) {
    const dn = m.targets.dbus.name;
    if (!MEMBER_NAME.test(dn)) {
      // Real interfaces use hyphens in property names (xdg-desktop-portal); D-Bus tools accept them with a warning.
      const tolerated = m.kind === "property" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(dn);
      diagnostics.push((tolerated ? warning : error)("NIDL3005", `"${dn}" is not a valid D-Bus member name (${memberNoun(m)} on D-Bus)`, m.span));
    }
    const key = `${m.kind === "signal" ? "signal" : "member"}:${dn}`;
    if (seen.has(key)) {
      diagnostics.push(error("NIDL3008", `${memberNoun(m)} has the same D-Bus name "${dn}" as ${seen.get(key)}`, m.span));
    }
    seen.set(key, memberNoun(m));
    const typed: { what: string; type: TypeModel; span: Span }[] = [];
    if (m.kind === "method") {
      m.inArgs.forEach((a, i) => typed.push({ what: argNoun(a, i, m), type: a.type, span: a.span }));
      m.outArgs.forEach((a, i) => typed.push({ what: argNoun(a, i, m, true), type: a.type, span: a.span }));
    } else if (m.kind === "signal") {
      m.args.forEach((a, i) => typed.push({ what: argNoun(a, i, m), type: a.type, span: a.span }));
    } else {
      typed.push({ what: memberNoun(m), type: m.type, span: m.span });
    }
    for (const t of typed) {
      const r = dbusSignature(model, t.type);
      if (!r.ok) diagnostics.push(error(t.type.kind === "new_id" || t.type.kind === "object" ? "NIDL3004" : "NIDL3001", `${t.what} cannot be carried on D-Bus: ${r.reason} (${ifaceNoun(iface)} is exported with @dbus)`, t.span));
    }
    if (m.kind === "method" && m.oneway && m.outArgs.length > 0) {
      diagnostics.push(error("NIDL3004", `${memberNoun(m)} is @oneway but has results; a no-reply D-Bus method cannot return anything`, m.span));
    }
  }
  for (const e of [...iface.errors]) {
    if (!INTERFACE_NAME.test(e.dbusErrorName)) diagnostics.push(error("NIDL3005", `"${e.dbusErrorName}" is not a valid D-Bus error name`, e.span));
  }
}
