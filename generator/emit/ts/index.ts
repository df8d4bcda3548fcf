/**
 * The TypeScript emitter: one `.ts` file per NIDL package with its types, zod
 * validators, client proxies and server skeletons, built as ts-morph
 * structures and printed with fixed formatting settings.
 */
import type { Diagnostic } from "../../diagnostics.js";
import type { Model } from "../../model.js";
import type { EmitOptions, EmitResult, Emitter, GeneratedFile } from "../types.js";
import { packageFile } from "./package-file.js";
import { loadTsMorph } from "./tsm.js";
import { createPrintProject, printSource } from "./print-source.js";

/** Emits the TypeScript of every package of the model. */
export const emitTypeScript: Emitter = async (model: Model, options: EmitOptions): Promise<EmitResult> => {
  const tsm = await loadTsMorph();
  const project = createPrintProject(tsm);
  const files: GeneratedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const pkg of model.packages) {
    const result = packageFile(tsm, model, pkg, options);
    diagnostics.push(...result.context.diagnostics);
    if (result.structure === undefined) continue;
    files.push({ path: result.path, content: printSource(tsm, project, result.path, result.structure) });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics };
};
