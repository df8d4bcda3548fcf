/**
 * TypeScript name clashes: two NIDL constructs that the TypeScript emitter
 * would turn into one name (after case mapping, derived names such as
 * `getXProperty` or `fooCallback`, and `@ts.name`). Reported at the later
 * one, with a note at the earlier, so `check` finds every clash `generate`
 * would otherwise trip over. TypeScript is emitted for every interface, so
 * this runs whatever targets are generated.
 */
import type { Span } from "../ast.js";
import type { Model } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";
import { packageTsNameClaims, type TsNameClaim } from "../targets/ts-names.js";

function declaredBefore(a: Span, b: Span): boolean {
  return a.file === b.file ? a.start < b.start : a.file < b.file;
}

/** Reports every TypeScript name clash of every package. */
export function checkTsNames(model: Model, diagnostics: Diagnostic[]): void {
  for (const pkg of model.packages) {
    const first = new Map<string, TsNameClaim>();
    const reported = new Set<string>();
    for (const claim of packageTsNameClaims(pkg)) {
      const key = `${claim.scope}\u0000${claim.space}\u0000${claim.name}`;
      const previous = first.get(key);
      if (previous === undefined) {
        first.set(key, claim);
        continue;
      }
      if (previous.ownerKey === claim.ownerKey) continue;
      // One report per pair: a method clash shows in the client and the impl alike.
      const pair = `${previous.ownerKey}\u0000${claim.ownerKey}`;
      if (reported.has(pair)) continue;
      reported.add(pair);
      // The emitter's order is not source order (package types come before interfaces): report at the later one.
      const [earlier, later] = declaredBefore(claim.span, previous.span) ? [claim, previous] : [previous, claim];
      const where = claim.scope === "" ? `the TypeScript name "${claim.name}"` : `the TypeScript member ${claim.scope}.${claim.name}`;
      const fix = claim.scope === "" ? "rename one of them" : 'rename one with @ts.name("...")';
      diagnostics.push(
        error("NIDL3008", `${later.owner} and ${earlier.owner} both become ${where}; ${fix}`, later.span, [
          { message: `${earlier.owner.replace(/ \(.*\)$/, "")} is declared here`, span: earlier.span },
        ]),
      );
    }
  }
}
