/**
 * Wayland expressibility, for interfaces exported with `@wayland`: argument
 * types must be Wayland wire types, requests have no results or errors,
 * there are no properties, referenced interfaces must be Wayland interfaces
 * and referenced enums must live in one. Each finding names the construct and
 * the target.
 */
import type { ArgModel, InterfaceModel, MemberModel, Model } from "../model.js";
import { error, warning, type Diagnostic } from "../diagnostics.js";
import { waylandArgType } from "../targets/wayland-types.js";
import { argNoun, ifaceNoun, memberNoun } from "./describe.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENTRY_NAME = /^[A-Za-z0-9_]+$/;

/** Checks every `@wayland` interface. */
export function checkWaylandTarget(model: Model, diagnostics: Diagnostic[]): void {
  for (const pkg of model.packages) {
    for (const iface of pkg.interfaces) if (iface.exportedTo.includes("wayland") && !iface.external) checkInterface(model, iface, diagnostics);
  }
}

function suffix(iface: InterfaceModel): string {
  return ` (${ifaceNoun(iface)} is exported with @wayland)`;
}

function checkInterface(model: Model, iface: InterfaceModel, diagnostics: Diagnostic[]): void {
  if (!NAME.test(iface.targets.wayland.name)) {
    diagnostics.push(error("NIDL3006", `"${iface.targets.wayland.name}" is not a valid Wayland interface name`, iface.span));
  }
  if (iface.members.every((m) => m.kind === "property") && iface.enums.length === 0) {
    diagnostics.push(error("NIDL3003", `${ifaceNoun(iface)} has no request, event or enum, which a Wayland interface needs${suffix(iface)}`, iface.span));
  }
  for (const m of iface.members) {
    if (!NAME.test(m.targets.wayland.name)) {
      diagnostics.push(error("NIDL3006", `"${m.targets.wayland.name}" is not a valid Wayland name for ${memberNoun(m)}`, m.span));
    }
    if (m.kind === "property") {
      diagnostics.push(error("NIDL3003", `${memberNoun(m)}: Wayland has no properties; use a request and an event${suffix(iface)}`, m.span));
      continue;
    }
    if (m.kind === "method") {
      if (m.targets.wayland.name === "destroy" && !m.destructor) {
        diagnostics.push(error("NIDL3003", `request "destroy" must be marked @destructor (wayland-scanner requires it)${suffix(iface)}`, m.span));
      }
      if (m.outArgs.length > 0) {
        diagnostics.push(error("NIDL3003", `${memberNoun(m)} has results, but Wayland requests return nothing (use new_id<...> and an event)${suffix(iface)}`, m.span));
      }
      if (m.throws.length > 0) {
        diagnostics.push(error("NIDL3003", `${memberNoun(m)} throws errors, but Wayland requests cannot (use an enum "error" and wl_display.error)${suffix(iface)}`, m.span));
      }
    }
    const args = m.kind === "method" ? m.inArgs : m.args;
    args.forEach((a, i) => checkArg(model, iface, m, a, i, diagnostics));
  }
  for (const e of iface.enums) {
    if (e.underlying !== "u32" && e.underlying !== "i32") {
      diagnostics.push(error("NIDL3002", `enum "${e.name}" is ${e.underlying}, but Wayland enums are u32 or i32${suffix(iface)}`, e.span));
    }
    for (const entry of e.entries) {
      if (!ENTRY_NAME.test(entry.targets.wayland.name)) {
        diagnostics.push(error("NIDL3006", `"${entry.targets.wayland.name}" is not a valid Wayland enum entry name`, entry.span));
      }
    }
  }
  for (const s of iface.structs) {
    diagnostics.push(error("NIDL3003", `struct "${s.name}" inside ${ifaceNoun(iface)}: Wayland protocols have no structs${suffix(iface)}`, s.span));
  }
}

function checkArg(model: Model, iface: InterfaceModel, m: MemberModel, a: ArgModel, i: number, diagnostics: Diagnostic[]): void {
  const what = argNoun(a, i, m);
  if (a.name === undefined) {
    diagnostics.push(error("NIDL3003", `${what} has no name, but Wayland arguments must be named${suffix(iface)}`, a.span));
  }
  const r = waylandArgType(model, a);
  if (!r.ok) {
    diagnostics.push(error("NIDL3002", `${what} cannot be carried on Wayland: ${r.reason}${suffix(iface)}`, a.span));
    return;
  }
  if (a.interfaceRef !== undefined) {
    const target = model.declarations.get(a.interfaceRef.qualifiedName);
    if (target?.kind === "interface" && !target.exportedTo.includes("wayland")) {
      diagnostics.push(error("NIDL3009", `${what} refers to ${ifaceNoun(target)}, which is not exported with @wayland`, a.span));
    }
  }
  const enumDecl = a.enumRef === undefined ? undefined : model.declarations.get(a.enumRef.qualifiedName);
  if (enumDecl?.kind === "enum" && enumDecl.bitfield && r.type === "int") {
    diagnostics.push(error("NIDL3002", `${what} is a signed int, but a Wayland bitfield (flags "${enumDecl.name}") must be carried as uint${suffix(iface)}`, a.span));
  }
  if (a.enumRef !== undefined && a.enumRef.interface === undefined) {
    diagnostics.push(error("NIDL3007", `${what} uses enum "${a.enumRef.name}", which is declared outside any interface; Wayland enums belong to an interface${suffix(iface)}`, a.span));
  } else if (a.enumRef !== undefined) {
    const owner = model.declarations.get(a.enumRef.interface === undefined ? "" : `${a.enumRef.package === "" ? "" : a.enumRef.package + "."}${a.enumRef.interface}`);
    if (owner?.kind === "interface" && !owner.exportedTo.includes("wayland")) {
      diagnostics.push(error("NIDL3007", `${what} uses enum "${a.enumRef.interface}.${a.enumRef.name}", whose interface is not exported with @wayland`, a.span));
    }
  }
  const inner = a.type.kind === "optional" ? a.type.inner : a.type;
  if (inner.kind === "object" && inner.interface === undefined && m.kind === "method") {
    // wayland-scanner writes `struct (null) *` into the client stub of such a request: it does not compile.
    diagnostics.push(warning("NIDL3002", `${what} is an object without an interface in a request; wayland-scanner's client code for it does not compile (write object<Interface>)${suffix(iface)}`, a.span));
  }
  if (a.type.kind === "new_id" && m.kind === "signal" && a.type.interface === undefined) {
    diagnostics.push(error("NIDL3002", `${what} is a new_id without an interface, which only requests may use (wl_registry.bind)${suffix(iface)}`, a.span));
  }
}
