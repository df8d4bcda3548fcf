/**
 * The breaking-change rules. Pure: two resolved models in, one diagnostic per breaking change out, each
 * pointing at the old construct with a note at the new one (or at where it should have been), plus the
 * compatible changes (change-kinds.ts) it accepted on the way.
 */
import type { ArgModel, DeclRef, ErrorModel, FieldModel, InterfaceModel, MemberModel, MethodModel, Model, PropertyModel, SignalModel, StructModel } from "../model.js";
import type { Diagnostic } from "../diagnostics.js";
import type { CompatibleChange } from "./change-kinds.js";
import { interfaceKey, memberName, originKey, type CompatSide } from "./compat-side.js";
import { compareEnum } from "./enum-rules.js";
import { Findings } from "./findings.js";
import { closedEnumSwap, typeKey, typeLabel } from "./type-key.js";
import { checkWaylandRules } from "./wayland-rules.js";

export { Findings } from "./findings.js";
export { compareEnum } from "./enum-rules.js";

type Kind = MemberModel["kind"];
const KIND_WORD: Record<Kind, string> = { method: "method", signal: "signal", property: "property" };

function word(i: InterfaceModel, m: MemberModel): string {
  if (i.exportedTo.includes("wayland") && !i.exportedTo.includes("dbus")) return m.kind === "method" ? "request" : m.kind === "signal" ? "event" : "property";
  return KIND_WORD[m.kind];
}

function membersByKey(i: InterfaceModel): Map<string, MemberModel> {
  return new Map(i.members.map((m) => [`${m.kind}:${memberName(i, m)}`, m]));
}

function argLabel(a: ArgModel, index: number): string {
  return a.name === undefined ? `#${index + 1}` : `"${a.name}"`;
}

/** Compares two argument lists position by position: count, order and types. */
function compareArgs(f: Findings, what: string, oi: InterfaceModel, ni: InterfaceModel, om: MemberModel, nm: MemberModel, oldArgs: readonly ArgModel[], newArgs: readonly ArgModel[]): void {
  const om_ = f.oldSide.model, nm_ = f.newSide.model;
  const mkey = (i: InterfaceModel, m: MemberModel) => originKey(i, memberName(i, m));
  const oldKeys = oldArgs.map((a) => typeKey(om_, a.type));
  const newKeys = newArgs.map((a) => typeKey(nm_, a.type));
  const at = (i: InterfaceModel, m: MemberModel, a: ArgModel | undefined) => ({ span: a?.span ?? m.span, key: a?.name === undefined ? mkey(i, m) : `${mkey(i, m)}.${a.name}` });
  const name = memberName(oi, om);
  if (oldArgs.length !== newArgs.length) {
    f.report("NIDL5003", `${what} "${name}" of "${oi.name}" changed its argument count from ${oldArgs.length} to ${newArgs.length}`, at(oi, om, undefined), at(ni, nm, undefined), `"${name}" has ${newArgs.length} argument(s) here`);
    return;
  }
  // Arguments in another order: report the reordering once rather than every position. Swapping two
  // arguments of the same type keeps the wire format but changes meaning, so names count too.
  const names = (l: readonly ArgModel[]) => l.map((a) => a.name ?? "");
  const named = oldArgs.every((a) => a.name !== undefined) && newArgs.every((a) => a.name !== undefined);
  const permutedNames = named && [...names(oldArgs)].sort().join("|") === [...names(newArgs)].sort().join("|") && names(oldArgs).join("|") !== names(newArgs).join("|");
  const permutedTypes = [...oldKeys].sort().join("|") === [...newKeys].sort().join("|") && oldKeys.join("|") !== newKeys.join("|") && names(oldArgs).join("|") !== names(newArgs).join("|");
  if (permutedNames || permutedTypes) {
    f.report("NIDL5003", `${what} "${name}" of "${oi.name}" changed the order of its arguments (${oldArgs.map(argLabel).join(", ")} → ${newArgs.map(argLabel).join(", ")})`, at(oi, om, undefined), at(ni, nm, undefined), "the new order is here");
    return;
  }
  const before = f.list.length;
  oldArgs.forEach((a, k) => {
    const b = newArgs[k]!;
    // The same struct on both sides: its own field changes are reported once, at the struct.
    const sameStruct = a.type.kind === "struct" && b.type.kind === "struct" && a.type.ref.qualifiedName === b.type.ref.qualifiedName;
    const swap = oldKeys[k] === newKeys[k] ? closedEnumSwap(om_, a.type, nm_, b.type) : undefined;
    if (oldKeys[k] !== newKeys[k] && !sameStruct) {
      f.report("NIDL5003", `${what} "${name}" of "${oi.name}": argument ${argLabel(a, k)} changed type from ${typeLabel(om_, a.type)} to ${typeLabel(nm_, b.type)}`, at(oi, om, a), at(ni, nm, b), `argument ${argLabel(b, k)} is ${typeLabel(nm_, b.type)} here`);
    } else if (swap !== undefined) {
      f.report("NIDL5003", `${what} "${name}" of "${oi.name}": argument ${argLabel(a, k)}: ${swap}; a @closed reader rejects values the other side may send`, at(oi, om, a), at(ni, nm, b), `argument ${argLabel(b, k)} is ${typeLabel(nm_, b.type)} here`);
    } else if (oi.exportedTo.includes("wayland") && a.enumRef?.name !== b.enumRef?.name) {
      // Same wire type, other values: Wayland bindings type the argument by its enum.
      const show = (r: ArgModel["enumRef"]) => (r === undefined ? "no enum" : `enum ${r.interface ? `${r.interface.split(".").pop()}.` : ""}${r.name}`);
      f.report("NIDL5003", `${what} "${name}" of "${oi.name}": argument ${argLabel(a, k)} changed from ${show(a.enumRef)} to ${show(b.enumRef)}`, at(oi, om, a), at(ni, nm, b), `argument ${argLabel(b, k)} has ${show(b.enumRef)} here`);
    }
  });
  // Arguments travel by position: a new name in the same place is invisible on the wire. Not on the
  // event bus: there a signal's data is keyed by argument name (resolve/event-topics.ts).
  const renamed = oldArgs.flatMap((a, k) => (a.name !== newArgs[k]!.name ? [`${argLabel(a, k)} → ${argLabel(newArgs[k]!, k)}`] : []));
  if (f.list.length !== before || renamed.length === 0) return;
  if (keyedOnBus(om, nm)) {
    f.report("NIDL5003", `${what} "${name}" of "${oi.name}" renamed ${renamed.join(", ")}: on the event bus its data is keyed by argument name, so listeners of the other version reject it`, at(oi, om, undefined), at(ni, nm, undefined), "the new names are here");
  } else f.accept("argument-renamed", `${what} "${name}" of "${ni.name}" renamed ${renamed.join(", ")}`, at(ni, nm, undefined));
}

/** True for a signal published on the event bus in both versions. */
function keyedOnBus(om: MemberModel, nm: MemberModel): boolean {
  return om.kind === "signal" && nm.kind === "signal" && om.topic !== undefined && nm.topic !== undefined;
}

/** A signal's event-bus topic is where listeners of the old version wait for it: changing or dropping it breaks them. */
function compareSignal(f: Findings, oi: InterfaceModel, ni: InterfaceModel, o: SignalModel, n: SignalModel): void {
  compareArgs(f, word(oi, o), oi, ni, o, n, o.args, n.args);
  if (o.topic === undefined || o.topic === n.topic) return;
  const name = memberName(oi, o);
  const now = n.topic === undefined ? "no topic" : `topic "${n.topic}"`;
  f.report("NIDL5013", `${word(oi, o)} "${name}" of "${oi.name}" moved from topic "${o.topic}" to ${now}: bus listeners of the old version no longer receive it`, { span: o.span, key: originKey(oi, name) }, { span: n.span, key: originKey(ni, memberName(ni, n)) }, `"${name}" has ${now} here`);
}

function compareMethod(f: Findings, oi: InterfaceModel, ni: InterfaceModel, o: MethodModel, n: MethodModel): void {
  const w = word(oi, o);
  if (oi.exportedTo.includes("wayland") && o.destructor !== n.destructor) {
    const name = memberName(oi, o);
    f.report("NIDL5008", `${w} "${name}" of "${oi.name}" ${n.destructor ? "became" : "is no longer"} a destructor`, { span: o.span, key: originKey(oi, name) }, { span: n.span, key: originKey(ni, memberName(ni, n)) }, `"${name}" is ${n.destructor ? "" : "not "}a destructor here`);
  }
  compareArgs(f, w, oi, ni, o, n, o.inArgs, n.inArgs);
  if (!(o.oneway || n.oneway)) compareArgs(f, `${w} results of`, oi, ni, o, n, o.outArgs, n.outArgs);
  compareThrows(f, ni, o, n);
  if (o.oneway !== n.oneway) {
    const name = memberName(oi, o);
    f.report("NIDL5007", `${w} "${name}" of "${oi.name}" changed from ${o.oneway ? "oneway" : "two-way"} to ${n.oneway ? "oneway" : "two-way"}`, { span: o.span, key: originKey(oi, name) }, { span: n.span, key: originKey(ni, memberName(ni, n)) }, `"${name}" is ${n.oneway ? "oneway" : "two-way"} here`);
  }
}

/** Declared errors are matched by qualified name (their name on the wire); their fields are compared with the errors. */
function compareThrows(f: Findings, ni: InterfaceModel, o: MethodModel, n: MethodModel): void {
  const names = (l: readonly DeclRef[]) => new Set(l.map((r) => r.qualifiedName));
  const oldNames = names(o.throws), newNames = names(n.throws);
  const newAt = { span: n.span, key: originKey(ni, memberName(ni, n)) };
  const what = `${word(ni, n)} "${memberName(ni, n)}" of "${ni.name}"`;
  const added = [...newNames].filter((x) => !oldNames.has(x));
  const removed = [...oldNames].filter((x) => !newNames.has(x));
  if (added.length > 0) f.accept("throws-added", `${what} may now throw ${added.join(", ")}`, newAt);
  if (removed.length > 0) f.accept("throws-removed", `${what} no longer declares ${removed.join(", ")}`, newAt);
}

const READS = (p: PropertyModel) => p.access !== "write";
const WRITES = (p: PropertyModel) => p.access !== "read";

function compareProperty(f: Findings, oi: InterfaceModel, ni: InterfaceModel, o: PropertyModel, n: PropertyModel): void {
  const name = memberName(oi, o);
  const oldAt = { span: o.span, key: originKey(oi, name) };
  const newAt = { span: n.span, key: originKey(ni, memberName(ni, n)) };
  if ((READS(o) && !READS(n)) || (WRITES(o) && !WRITES(n))) {
    f.report("NIDL5006", `property "${name}" of "${oi.name}" narrowed its access from ${o.access} to ${n.access}`, oldAt, newAt, `"${name}" is ${n.access} here`);
  }
  else if (o.access !== n.access) f.accept("property-access-widened", `property "${name}" of "${ni.name}" widened its access from ${o.access} to ${n.access}`, newAt);
  // Clients observing a property wait for announcements that would never come again.
  if (o.notify && READS(n) && !n.notify) f.report("NIDL5006", `property "${name}" of "${oi.name}" no longer announces its changes`, oldAt, newAt, `"${name}" does not notify here`);
  else if (!o.notify && n.notify) f.accept("property-notify-added", `property "${name}" of "${ni.name}" now announces its changes`, newAt);
  const ok = typeKey(f.oldSide.model, o.type), nk = typeKey(f.newSide.model, n.type);
  const swap = ok === nk ? closedEnumSwap(f.oldSide.model, o.type, f.newSide.model, n.type) : undefined;
  if (ok !== nk || swap !== undefined) {
    const why = swap === undefined ? "" : ` (${swap}; a @closed reader rejects values the other side may send)`;
    f.report("NIDL5009", `property "${name}" of "${oi.name}" changed type from ${typeLabel(f.oldSide.model, o.type)} to ${typeLabel(f.newSide.model, n.type)}${why}`, oldAt, newAt, `"${name}" is ${typeLabel(f.newSide.model, n.type)} here`);
  }
}

/**
 * Structs and the fields of declared errors: field names count, since the RPC wire carries a struct as a
 * map keyed by field name (D-Bus carries it as a tuple, so order and types count as well).
 */
function compareStruct(f: Findings, o: StructModel | ErrorModel, n: StructModel | ErrorModel, oldKey = o.qualifiedName, newKey = n.qualifiedName): void {
  const fields = (model: Model, l: readonly FieldModel[]) => l.map((x) => `${x.name}: ${typeKey(model, x.type)}`).join(", ");
  const ok = fields(f.oldSide.model, o.fields);
  const nk = fields(f.newSide.model, n.fields);
  const swap = ok !== nk ? undefined : o.fields.map((x, k) => closedEnumSwap(f.oldSide.model, x.type, f.newSide.model, n.fields[k]!.type)).find((d) => d !== undefined);
  if (ok !== nk) {
    f.report("NIDL5009", `${o.kind} "${o.name}" changed its fields from (${ok}) to (${nk})`, { span: o.span, key: oldKey }, { span: n.span, key: newKey }, `"${n.name}" is declared here`);
  } else if (swap !== undefined) {
    f.report("NIDL5009", `${o.kind} "${o.name}" changed a field: ${swap}; a @closed reader rejects values the other side may send`, { span: o.span, key: oldKey }, { span: n.span, key: newKey }, `"${n.name}" is declared here`);
  }
}

/** What a member looks like on the wire, without its name: a renamed member keeps it. */
function shapeKey(model: Model, m: MemberModel): string {
  const args = (l: readonly ArgModel[]) => l.map((a) => typeKey(model, a.type)).join(",");
  if (m.kind === "method") return `method(${args(m.inArgs)})->(${args(m.outArgs)})`;
  if (m.kind === "signal") return `signal(${args(m.args)})`;
  return `property:${typeKey(model, m.type)}`;
}

function compareInterface(f: Findings, oi: InterfaceModel, ni: InterfaceModel): void {
  const newMembers = membersByKey(ni);
  const oldMembers = membersByKey(oi);
  // Members only in the new version, by shape: a removed member with the same shape was renamed.
  const added = [...newMembers].filter(([k]) => !oldMembers.has(k)).map(([, m]) => m);
  const renamedTo = new Set<MemberModel>();
  for (const [key, om] of oldMembers) {
    const nm = newMembers.get(key);
    const name = memberName(oi, om);
    if (nm === undefined) {
      const shape = shapeKey(f.oldSide.model, om);
      const twin = added.find((a) => !renamedTo.has(a) && shapeKey(f.newSide.model, a) === shape);
      if (twin !== undefined) {
        renamedTo.add(twin);
        const to = memberName(ni, twin);
        f.report("NIDL5002", `${word(oi, om)} "${name}" of "${oi.name}" was renamed to "${to}"`, { span: om.span, key: originKey(oi, name) }, { span: twin.span, key: originKey(ni, to) }, `"${to}" is declared here`);
      } else {
        f.report("NIDL5002", `${word(oi, om)} "${name}" of "${oi.name}" was removed or renamed`, { span: om.span, key: originKey(oi, name) }, { span: ni.span, key: originKey(ni) }, `"${ni.name}" has no ${word(oi, om)} "${name}" here`);
      }
      continue;
    }
    if (nm.deprecated !== undefined && om.deprecated === undefined) f.accept("member-deprecated", `${word(ni, nm)} "${memberName(ni, nm)}" of "${ni.name}" is deprecated`, { span: nm.span, key: originKey(ni, memberName(ni, nm)) });
    if (om.kind === "method" && nm.kind === "method") compareMethod(f, oi, ni, om, nm);
    else if (om.kind === "signal" && nm.kind === "signal") compareSignal(f, oi, ni, om, nm);
    else if (om.kind === "property" && nm.kind === "property") compareProperty(f, oi, ni, om, nm);
  }
  const newEnums = new Map(ni.enums.map((e) => [e.name, e]));
  for (const oe of oi.enums) {
    const ne = newEnums.get(oe.name);
    if (ne === undefined) f.report("NIDL5002", `enum "${oe.name}" of "${oi.name}" was removed or renamed`, { span: oe.span, key: originKey(oi, oe.name) }, { span: ni.span, key: originKey(ni) }, `"${ni.name}" has no enum "${oe.name}" here`);
    else compareEnum(f, oi, oe, ne);
  }
  const newStructs = new Map(ni.structs.map((x) => [x.name, x]));
  for (const os of oi.structs) {
    const ns = newStructs.get(os.name);
    if (ns === undefined) f.report("NIDL5002", `struct "${os.name}" of "${oi.name}" was removed or renamed`, { span: os.span, key: originKey(oi, os.name) }, { span: ni.span, key: originKey(ni) }, `"${ni.name}" has no struct "${os.name}" here`);
    else compareStruct(f, os, ns, originKey(oi, os.name), originKey(ni, ns.name));
  }
  const newErrors = new Map(ni.errors.map((x) => [x.name, x]));
  for (const oe of oi.errors) {
    const ne = newErrors.get(oe.name);
    if (ne === undefined) f.report("NIDL5002", `error "${oe.name}" of "${oi.name}" was removed or renamed`, { span: oe.span, key: originKey(oi, oe.name) }, { span: ni.span, key: originKey(ni) }, `"${ni.name}" has no error "${oe.name}" here`);
    else compareStruct(f, oe, ne, originKey(oi, oe.name), originKey(ni, ne.name));
  }
  const renamedNames = new Set([...renamedTo].map((m) => memberName(ni, m)));
  for (const m of added) {
    if (renamedTo.has(m)) continue;
    const to = memberName(ni, m);
    const kind = m.kind === "method" ? "method-added" : m.kind === "signal" ? "signal-added" : "property-added";
    f.accept(kind, `${word(ni, m)} "${to}" of "${ni.name}" was added`, { span: m.span, key: originKey(ni, to) });
  }
  // A renamed request/event was reported above; it is not also a new one.
  if (oi.exportedTo.includes("wayland")) checkWaylandRules(f, oi, ni, renamedNames);
  compareObjectManager(f, oi, ni);
}

/**
 * `@dbus(object_manager = true)` dropped: clients of the old version (GDBusObjectManagerClient, …) call
 * GetManagedObjects there and wait for InterfacesAdded. Gaining it adds a standard interface, which no
 * older client can notice.
 */
function compareObjectManager(f: Findings, oi: InterfaceModel, ni: InterfaceModel): void {
  if (!oi.exportedTo.includes("dbus") || !oi.dbusObjectManager || (ni.exportedTo.includes("dbus") && ni.dbusObjectManager)) return;
  f.report(
    "NIDL5014",
    `"${oi.name}" is no longer a D-Bus ObjectManager: clients of the old version call GetManagedObjects on its object`,
    { span: oi.span, key: originKey(oi) },
    { span: ni.span, key: originKey(ni) },
    `"${ni.name}" has no @dbus(object_manager = true) here`,
  );
}

function interfacesOf(model: Model): Map<string, InterfaceModel> {
  const out = new Map<string, InterfaceModel>();
  for (const p of model.packages) {
    for (const i of p.interfaces) {
      // @external interfaces are stand-ins for ones defined elsewhere (import stubs): not part of this API.
      if (i.external) continue;
      const key = interfaceKey(i);
      out.set(out.has(key) ? `${key}@${p.name}` : key, i);
    }
  }
  return out;
}

/** What {@link compareSides} found. */
export interface Comparison {
  /** One error per breaking change. */
  readonly breaking: readonly Diagnostic[];
  /** The compatible changes, in the order they were found. */
  readonly compatible: readonly CompatibleChange[];
}

/** Every breaking and every compatible change from `oldSide` to `newSide`. */
export function compareSides(oldSide: CompatSide, newSide: CompatSide): Comparison {
  const f = new Findings(oldSide, newSide);
  const newIfaces = interfacesOf(newSide.model);
  const oldIfaces = interfacesOf(oldSide.model);
  const addedIfaces = [...newIfaces].filter(([k]) => !oldIfaces.has(k)).map(([, i]) => i);
  const renamedIfaces = new Set<InterfaceModel>();
  const memberSet = (i: InterfaceModel) => i.members.map((m) => `${m.kind}:${memberName(i, m)}`).sort().join("|");
  for (const [key, oi] of oldIfaces) {
    const ni = newIfaces.get(key);
    const shown = key.replace(/^[a-z]+:/, "");
    if (ni === undefined) {
      // Same members under a new name: a rename (then the interfaces are compared too); else a removal,
      // noted at the new version of the same package when there is one.
      const twin = addedIfaces.find((a) => a.members.length > 0 && memberSet(a) === memberSet(oi));
      if (twin !== undefined) {
        const to = interfaceKey(twin).replace(/^[a-z]+:/, "");
        f.report("NIDL5001", `interface "${shown}" was renamed to "${to}"`, { span: oi.span, key: originKey(oi) }, { span: twin.span, key: originKey(twin) }, `"${to}" is declared here`);
        renamedIfaces.add(twin);
        compareInterface(f, oi, twin);
        continue;
      }
      const pkg = newSide.model.packages.find((p) => p.name === oi.package) ?? newSide.model.packages[0];
      const near = pkg?.interfaces[0];
      f.report("NIDL5001", `interface "${shown}" was removed or renamed`, { span: oi.span, key: originKey(oi) }, near === undefined ? undefined : { span: near.span, key: originKey(near) }, `the new version has no interface "${shown}"${pkg ? ` (package ${pkg.name})` : ""}`);
      continue;
    }
    compareInterface(f, oi, ni);
  }
  for (const ni of addedIfaces) {
    if (!renamedIfaces.has(ni)) f.accept("interface-added", `interface "${interfaceKey(ni).replace(/^[a-z]+:/, "")}" was added`, { span: ni.span, key: originKey(ni) });
  }
  const newTop = new Map(newSide.model.packages.flatMap((p) => [...p.enums, ...p.structs, ...p.errors]).map((d) => [d.qualifiedName, d]));
  for (const p of oldSide.model.packages) {
    for (const d of [...p.enums, ...p.structs, ...p.errors]) {
      const n = newTop.get(d.qualifiedName);
      if (n === undefined) {
        f.report("NIDL5002", `${d.kind} "${d.qualifiedName}" was removed or renamed`, { span: d.span, key: d.qualifiedName }, undefined, `the new version has no ${d.kind} "${d.qualifiedName}"`);
      } else if (d.kind === "enum" && n.kind === "enum") compareEnum(f, undefined, d, n);
      else if ((d.kind === "struct" || d.kind === "error") && n.kind === d.kind) compareStruct(f, d, n);
    }
  }
  return { breaking: f.list, compatible: f.compatible };
}
