/**
 * Runs the registered emitters of the requested targets and merges their
 * results, sorted by path so the output order never depends on emitter order.
 */
import type { Model, TargetName } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";
import type { EmitOptions, EmitResult, GeneratedFile } from "./types.js";
import { findEmitter } from "./index.js";

/** Emits every target in `targets`; an unregistered target is a diagnostic, not a throw. */
export async function generateTargets(model: Model, targets: readonly TargetName[], options: EmitOptions): Promise<EmitResult> {
  const files: GeneratedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const target of targets) {
    const entry = findEmitter(target);
    if (entry === undefined) {
      diagnostics.push(error("NIDL3004", `no emitter is registered for target "${target}"`, undefined));
      continue;
    }
    const result = await entry.emit(model, options);
    files.push(...result.files);
    diagnostics.push(...result.diagnostics);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics };
}
