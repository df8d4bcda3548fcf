/**
 * Human names of model constructs for target diagnostics ("argument "x" of
 * method "Foo" in interface "Bar"").
 */
import type { ArgModel, InterfaceModel, MemberModel } from "../model.js";

/** `method "Foo"`, `event "configure"`, `property "Volume"`. */
export function memberNoun(m: MemberModel): string {
  return `${m.kind === "property" ? "property" : m.keyword} "${m.name}"`;
}

/** `argument "x" of method "Foo"` (or `argument 2 of ...` when unnamed). */
export function argNoun(a: ArgModel, index: number, m: MemberModel, result = false): string {
  const which = a.name === undefined ? `${index + 1}` : `"${a.name}"`;
  return `${result ? "result" : "argument"} ${which} of ${memberNoun(m)}`;
}

/** `interface "Bar"`. */
export function ifaceNoun(i: InterfaceModel): string {
  return `interface "${i.name}"`;
}
