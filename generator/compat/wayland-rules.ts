/**
 * Wayland's versioning rules: opcodes are positions, so existing requests/events keep their order and new
 * ones go at the end with a `since` above the old interface version; adding anything raises the version.
 */
import type { InterfaceModel, MethodModel, SignalModel } from "../model.js";
import { originKey } from "./compat-side.js";
import type { Findings } from "./compare.js";

function checkKind(f: Findings, oi: InterfaceModel, ni: InterfaceModel, word: "request" | "event", oldList: readonly (MethodModel | SignalModel)[], newList: readonly (MethodModel | SignalModel)[], renamed: ReadonlySet<string>): number {
  const name = (m: MethodModel | SignalModel) => m.targets.wayland.name;
  const oldNames = new Set(oldList.map(name));
  const newIndex = new Map(newList.map((m, k) => [name(m), k]));
  // Opcodes are positions: report the first old message whose opcode changed (once; removals are reported elsewhere).
  if (oldList.every((o) => newIndex.has(name(o)))) {
    const moved = oldList.findIndex((o, k) => newIndex.get(name(o)) !== k);
    if (moved >= 0) {
      const o = oldList[moved]!;
      const to = newIndex.get(name(o))!;
      f.report("NIDL5008", `${word} "${name(o)}" of "${oi.name}" moved from opcode ${moved} to ${to}; new ${word}s must be added at the end`, { span: o.span, key: originKey(oi, name(o)) }, { span: newList[to]!.span, key: originKey(ni, name(o)) }, `"${name(o)}" has opcode ${to} here`);
    }
  }
  let added = 0;
  newList.forEach((n) => {
    if (oldNames.has(name(n)) || renamed.has(name(n))) return;
    added++;
    const since = n.since ?? 1;
    if (since <= oi.version) {
      f.report("NIDL5008", `new ${word} "${name(n)}" of "${ni.name}" must have since > ${oi.version} (the old interface version), but has since ${since}`, { span: oi.span, key: originKey(oi) }, { span: n.span, key: originKey(ni, name(n)) }, `"${name(n)}" is added here`);
    }
  });
  return added;
}

/** Reports Wayland version-rule violations between two versions of one interface; `renamed` are new names of renamed members. */
export function checkWaylandRules(f: Findings, oi: InterfaceModel, ni: InterfaceModel, renamed: ReadonlySet<string> = new Set()): void {
  const added = checkKind(f, oi, ni, "request", oi.methods, ni.methods, renamed) + checkKind(f, oi, ni, "event", oi.signals, ni.signals, renamed);
  if (ni.version < oi.version) {
    f.report("NIDL5008", `interface "${oi.name}" lowered its version from ${oi.version} to ${ni.version}`, { span: oi.span, key: originKey(oi) }, { span: ni.span, key: originKey(ni) }, `version ${ni.version} here`);
  } else if (added > 0 && ni.version === oi.version) {
    f.report("NIDL5008", `interface "${oi.name}" gained ${added} request(s)/event(s) but its version was not raised from ${oi.version}`, { span: oi.span, key: originKey(oi) }, { span: ni.span, key: originKey(ni) }, `still version ${ni.version} here`);
  }
}
