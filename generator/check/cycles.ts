/**
 * Illegal cycles: a struct that contains itself by value (directly, or through
 * other structs or tuples) has no finite size on any wire. Containment through
 * a list, map or optional is fine in general (D-Bus rejects it separately,
 * since its signatures cannot be recursive).
 */
import type { Model, StructModel, TypeModel } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";

function byValueStructs(t: TypeModel): string[] {
  if (t.kind === "struct") return [t.ref.qualifiedName];
  if (t.kind === "tuple") return t.elements.flatMap(byValueStructs);
  return [];
}

/** Reports each by-value struct cycle once, at the struct that closes it first in declaration order. */
export function checkCycles(model: Model, diagnostics: Diagnostic[]): void {
  const structs: StructModel[] = [];
  for (const d of model.declarations.values()) if (d.kind === "struct") structs.push(d);
  const reported = new Set<string>();
  for (const s of structs) {
    const path = findCycle(model, s.qualifiedName, s.qualifiedName, []);
    if (path === undefined) continue;
    const key = [...path].sort().join("|");
    if (reported.has(key)) continue;
    reported.add(key);
    const names = [s.name, ...path.slice(1).map((q) => q.split(".").pop()), s.name].join(" → ");
    diagnostics.push(error("NIDL2007", `struct "${s.name}" contains itself by value (${names})`, s.span));
  }
}

function findCycle(model: Model, start: string, current: string, path: string[]): string[] | undefined {
  const decl = model.declarations.get(current);
  if (decl === undefined || decl.kind !== "struct") return undefined;
  const here = [...path, current];
  for (const f of decl.fields) {
    for (const next of byValueStructs(f.type)) {
      if (next === start) return here;
      if (here.includes(next)) continue;
      const found = findCycle(model, start, next, here);
      if (found) return found;
    }
  }
  return undefined;
}
