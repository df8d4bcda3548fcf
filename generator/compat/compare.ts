/**
 * The breaking-change rules. Pure: two resolved models in, one diagnostic per breaking change out, each
 * pointing at the old construct with a note at the new one (or at where it should have been).
 */
import type { Span } from "../ast.js";
import { error, type Diagnostic, type DiagnosticCode } from "../diagnostics.js";
import type { ArgModel, EnumModel, InterfaceModel, MemberModel, MethodModel, Model, PropertyModel, StructModel } from "../model.js";
import { interfaceKey, memberName, originKey, type CompatSide } from "./compat-side.js";
import { typeKey, typeLabel } from "./type-key.js";
import { checkWaylandRules } from "./wayland-rules.js";

/** Collects findings of one comparison. */
export class Findings {
  readonly list: Diagnostic[] = [];
  constructor(readonly oldSide: CompatSide, readonly newSide: CompatSide) {}

  /** Reports a break at `oldSpan` (old version) with a note at `newSpan` (new version). */
  report(code: DiagnosticCode, message: string, oldAt: { span: Span; key: string }, newAt: { span: Span; key: string } | undefined, newNote: string): void {
    const oldSpan = this.oldSide.locate(oldAt.span, oldAt.key);
    const newSpan = newAt === undefined ? undefined : this.newSide.locate(newAt.span, newAt.key);
    this.list.push(error(code, message, oldSpan, [{ message: newNote, span: newSpan }]));
  }
}

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
  oldArgs.forEach((a, k) => {
    const b = newArgs[k]!;
    // The same struct on both sides: its own field changes are reported once, at the struct.
    const sameStruct = a.type.kind === "struct" && b.type.kind === "struct" && a.type.ref.qualifiedName === b.type.ref.qualifiedName;
    if (oldKeys[k] !== newKeys[k] && !sameStruct) {
      f.report("NIDL5003", `${what} "${name}" of "${oi.name}": argument ${argLabel(a, k)} changed type from ${typeLabel(om_, a.type)} to ${typeLabel(nm_, b.type)}`, at(oi, om, a), at(ni, nm, b), `argument ${argLabel(b, k)} is ${typeLabel(nm_, b.type)} here`);
    } else if (oi.exportedTo.includes("wayland") && a.enumRef?.name !== b.enumRef?.name) {
      // Same wire type, other values: Wayland bindings type the argument by its enum.
      const show = (r: ArgModel["enumRef"]) => (r === undefined ? "no enum" : `enum ${r.interface ? `${r.interface.split(".").pop()}.` : ""}${r.name}`);
      f.report("NIDL5003", `${what} "${name}" of "${oi.name}": argument ${argLabel(a, k)} changed from ${show(a.enumRef)} to ${show(b.enumRef)}`, at(oi, om, a), at(ni, nm, b), `argument ${argLabel(b, k)} has ${show(b.enumRef)} here`);
    }
  });
}

function compareMethod(f: Findings, oi: InterfaceModel, ni: InterfaceModel, o: MethodModel, n: MethodModel): void {
  const w = word(oi, o);
  if (oi.exportedTo.includes("wayland") && o.destructor !== n.destructor) {
    const name = memberName(oi, o);
    f.report("NIDL5008", `${w} "${name}" of "${oi.name}" ${n.destructor ? "became" : "is no longer"} a destructor`, { span: o.span, key: originKey(oi, name) }, { span: n.span, key: originKey(ni, memberName(ni, n)) }, `"${name}" is ${n.destructor ? "" : "not "}a destructor here`);
  }
  compareArgs(f, w, oi, ni, o, n, o.inArgs, n.inArgs);
  if (!(o.oneway || n.oneway)) compareArgs(f, `${w} results of`, oi, ni, o, n, o.outArgs, n.outArgs);
  if (o.oneway !== n.oneway) {
    const name = memberName(oi, o);
    f.report("NIDL5007", `${w} "${name}" of "${oi.name}" changed from ${o.oneway ? "oneway" : "two-way"} to ${n.oneway ? "oneway" : "two-way"}`, { span: o.span, key: originKey(oi, name) }, { span: n.span, key: originKey(ni, memberName(ni, n)) }, `"${name}" is ${n.oneway ? "oneway" : "two-way"} here`);
  }
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
  const ok = typeKey(f.oldSide.model, o.type), nk = typeKey(f.newSide.model, n.type);
  if (ok !== nk) {
    f.report("NIDL5009", `property "${name}" of "${oi.name}" changed type from ${typeLabel(f.oldSide.model, o.type)} to ${typeLabel(f.newSide.model, n.type)}`, oldAt, newAt, `"${name}" is ${typeLabel(f.newSide.model, n.type)} here`);
  }
}

/** Enum entries: removed, or value changed. */
export function compareEnum(f: Findings, scope: InterfaceModel | undefined, o: EnumModel, n: EnumModel): void {
  const keyOf = (e: EnumModel, entry?: string) => (scope === undefined ? [e.qualifiedName, ...(entry ? [entry] : [])].join(".") : originKey(scope, e.name, ...(entry ? [entry] : [])));
  const entries = new Map(n.entries.map((e) => [e.name, e]));
  for (const oe of o.entries) {
    const ne = entries.get(oe.name);
    const oldAt = { span: oe.span, key: keyOf(o, oe.name) };
    if (ne === undefined) {
      f.report("NIDL5004", `entry "${oe.name}" (= ${oe.valueText}) of enum "${o.name}" was removed or renamed`, oldAt, { span: n.span, key: keyOf(n) }, `enum "${n.name}" has no entry "${oe.name}" here`);
    } else if (ne.value !== oe.value) {
      f.report("NIDL5005", `entry "${oe.name}" of enum "${o.name}" changed its value from ${oe.valueText} to ${ne.valueText}`, oldAt, { span: ne.span, key: keyOf(n, ne.name) }, `"${ne.name}" = ${ne.valueText} here`);
    }
  }
}

function compareStruct(f: Findings, o: StructModel, n: StructModel): void {
  const ok = o.fields.map((x) => typeKey(f.oldSide.model, x.type)).join(", ");
  const nk = n.fields.map((x) => typeKey(f.newSide.model, x.type)).join(", ");
  if (ok !== nk) {
    f.report("NIDL5009", `struct "${o.name}" changed its fields from (${ok}) to (${nk})`, { span: o.span, key: o.qualifiedName }, { span: n.span, key: n.qualifiedName }, `"${n.name}" is declared here`);
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
    if (om.kind === "method" && nm.kind === "method") compareMethod(f, oi, ni, om, nm);
    else if (om.kind === "signal" && nm.kind === "signal") compareArgs(f, word(oi, om), oi, ni, om, nm, om.args, nm.args);
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
    else compareStruct(f, os, ns);
  }
  // A renamed request/event was reported above; it is not also a new one.
  if (oi.exportedTo.includes("wayland")) checkWaylandRules(f, oi, ni, new Set([...renamedTo].map((m) => memberName(ni, m))));
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

/** Every breaking change from `oldSide` to `newSide`, sorted by old location. */
export function compareSides(oldSide: CompatSide, newSide: CompatSide): Diagnostic[] {
  const f = new Findings(oldSide, newSide);
  const newIfaces = interfacesOf(newSide.model);
  const oldIfaces = interfacesOf(oldSide.model);
  const addedIfaces = [...newIfaces].filter(([k]) => !oldIfaces.has(k)).map(([, i]) => i);
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
  const newTop = new Map(newSide.model.packages.flatMap((p) => [...p.enums, ...p.structs]).map((d) => [d.qualifiedName, d]));
  for (const p of oldSide.model.packages) {
    for (const d of [...p.enums, ...p.structs]) {
      const n = newTop.get(d.qualifiedName);
      if (n === undefined) {
        f.report("NIDL5002", `${d.kind} "${d.qualifiedName}" was removed or renamed`, { span: d.span, key: d.qualifiedName }, undefined, `the new version has no ${d.kind} "${d.qualifiedName}"`);
      } else if (d.kind === "enum" && n.kind === "enum") compareEnum(f, undefined, d, n);
      else if (d.kind === "struct" && n.kind === "struct") compareStruct(f, d, n);
    }
  }
  return f.list;
}
