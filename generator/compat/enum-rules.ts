/**
 * How enums and flags may evolve. Entries keep their names and values. Enums are open by default: a
 * reader accepts any integer of the underlying type, so adding an entry is compatible. A `@closed` one
 * rejects what it does not know, so a new value (new bits, for flags) breaks every older reader it can
 * reach: compatible only when the enum travels from clients to servers alone (an older client never sends
 * it; a newer client sending it to an older server gets a typed error, like calling a new method).
 */
import type { EnumModel, InterfaceModel } from "../model.js";
import { originKey } from "./compat-side.js";
import type { Findings } from "./findings.js";

function newValues(o: EnumModel, n: EnumModel): bigint[] {
  if (n.bitfield) {
    const oldMask = o.entries.reduce((bits, e) => bits | e.value, 0n);
    const added = n.entries.reduce((bits, e) => bits | e.value, 0n) & ~oldMask;
    return added === 0n ? [] : [added];
  }
  const known = new Set(o.entries.map((e) => e.value));
  return [...new Set(n.entries.map((e) => e.value).filter((v) => !known.has(v)))];
}

/** Compares two versions of one enum or flags declaration. */
export function compareEnum(f: Findings, scope: InterfaceModel | undefined, o: EnumModel, n: EnumModel): void {
  const keyOf = (e: EnumModel, entry?: string) => (scope === undefined ? [e.qualifiedName, ...(entry ? [entry] : [])].join(".") : originKey(scope, e.name, ...(entry ? [entry] : [])));
  const word = o.bitfield ? "flags" : "enum";
  const entries = new Map(n.entries.map((e) => [e.name, e]));
  for (const oe of o.entries) {
    const ne = entries.get(oe.name);
    const oldAt = { span: oe.span, key: keyOf(o, oe.name) };
    if (ne === undefined) {
      f.report("NIDL5004", `entry "${oe.name}" (= ${oe.valueText}) of ${word} "${o.name}" was removed or renamed`, oldAt, { span: n.span, key: keyOf(n) }, `${word} "${n.name}" has no entry "${oe.name}" here`);
    } else if (ne.value !== oe.value) {
      f.report("NIDL5005", `entry "${oe.name}" of ${word} "${o.name}" changed its value from ${oe.valueText} to ${ne.valueText}`, oldAt, { span: ne.span, key: keyOf(n, ne.name) }, `"${ne.name}" = ${ne.valueText} here`);
    }
  }
  const oldAt = { span: o.span, key: keyOf(o) };
  const newAt = { span: n.span, key: keyOf(n) };
  if (!o.closed && n.closed) {
    f.report("NIDL5012", `${word} "${o.name}" became @closed: its new readers reject values older peers may send`, oldAt, newAt, `"${n.name}" is @closed here`);
    return;
  }
  if (o.closed && !n.closed) f.accept("enum-opened", `${word} "${n.name}" is no longer @closed`, newAt);
  const oldNames = new Set(o.entries.map((e) => e.name));
  const added = n.entries.filter((e) => !oldNames.has(e.name));
  if (added.length === 0) return;
  const names = added.map((e) => `"${e.name}"`).join(", ");
  if (!o.closed) {
    f.accept(o.bitfield ? "flags-bit-added" : "enum-value-added", `${word} "${n.name}" gained ${names}`, newAt);
    return;
  }
  const fresh = newValues(o, n);
  if (fresh.length > 0 && f.oldFlow.toClients.has(o.qualifiedName)) {
    const first = added.find((e) => (o.bitfield ? (e.value & fresh[0]!) !== 0n : fresh.includes(e.value))) ?? added[0]!;
    f.report(
      "NIDL5011",
      `@closed ${word} "${o.name}" gained ${names}, which older clients reject: the ${word} reaches them (results, signals, readable properties or error fields)`,
      oldAt,
      { span: first.span, key: keyOf(n, first.name) },
      `"${first.name}" = ${first.valueText} is added here`,
    );
    return;
  }
  f.accept("closed-enum-value-added-inbound", `@closed ${word} "${n.name}" gained ${names}; it only travels from clients to servers`, newAt);
}
