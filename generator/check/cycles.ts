/**
 * Illegal cycles: a struct that contains itself by value (directly, or through
 * other structs or tuples) has no finite size on any wire. Containment through
 * a list, map or optional is fine in general (D-Bus rejects it separately,
 * since its signatures cannot be recursive).
 *
 * An iterative depth-first search (no recursion, so no stack overflow on
 * long chains) finds each cycle once; it is reported at the struct of the
 * cycle that was declared first.
 */
import type { Model, StructModel, TypeModel } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";

function byValueStructs(t: TypeModel): string[] {
  if (t.kind === "struct") return [t.ref.qualifiedName];
  if (t.kind === "tuple") return t.elements.flatMap(byValueStructs);
  return [];
}

/** Reports every by-value struct cycle. */
export function checkCycles(model: Model, diagnostics: Diagnostic[]): void {
  const structs = new Map<string, StructModel>();
  for (const d of model.declarations.values()) if (d.kind === "struct") structs.set(d.qualifiedName, d);
  const order = new Map([...structs.keys()].map((k, i) => [k, i]));
  const edges = (q: string): string[] => [...new Set((structs.get(q)?.fields ?? []).flatMap((f) => byValueStructs(f.type)))].filter((n) => structs.has(n));
  const state = new Map<string, "active" | "done">();
  const reported = new Set<string>();
  for (const start of structs.keys()) {
    if (state.has(start)) continue;
    const stack: { node: string; next: string[] }[] = [{ node: start, next: edges(start) }];
    state.set(start, "active");
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const n = top.next.shift();
      if (n === undefined) {
        state.set(top.node, "done");
        stack.pop();
        continue;
      }
      const s = state.get(n);
      if (s === "active") {
        const cycle = stack.slice(stack.findIndex((f) => f.node === n)).map((f) => f.node);
        report(cycle, structs, order, reported, diagnostics);
      } else if (s === undefined) {
        state.set(n, "active");
        stack.push({ node: n, next: edges(n) });
      }
    }
  }
}

function report(cycle: string[], structs: Map<string, StructModel>, order: Map<string, number>, reported: Set<string>, diagnostics: Diagnostic[]): void {
  const key = [...cycle].sort().join("|");
  if (reported.has(key)) return;
  reported.add(key);
  // Rotate so the first-declared struct leads: the message reads the same whatever the search order.
  const first = cycle.reduce((a, b) => ((order.get(a) ?? 0) <= (order.get(b) ?? 0) ? a : b));
  const at = cycle.indexOf(first);
  const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
  const s = structs.get(first)!;
  const names = [...rotated, first].map((q) => structs.get(q)?.name ?? q).join(" → ");
  diagnostics.push(error("NIDL2007", `struct "${s.name}" contains itself by value (${names})`, s.span));
}
