/**
 * The Wayland TypeScript bindings emitter (`--target wayland-ts`): one module
 * `wayland/<protocol>.ts` per package with `@wayland` interfaces, beside the
 * `wayland/<protocol>.xml` of the `wayland` target. See README.md.
 */
import type { Diagnostic } from "../../diagnostics.js";
import type { Emitter, GeneratedFile } from "../types.js";
import { loadTsMorph } from "../ts/tsm.js";
import { createPrintProject, printSource } from "../ts/print-source.js";
import { protocolFile } from "./protocol-file.js";

/** Emits the Wayland bindings of every package of the model. */
export const emitWaylandTs: Emitter = async (model, options) => {
  const tsm = await loadTsMorph();
  const project = createPrintProject(tsm);
  const files: GeneratedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const pkg of model.packages) {
    const { path, structure, ctx } = protocolFile(tsm, model, pkg, options);
    diagnostics.push(...ctx.diagnostics);
    if (structure !== undefined) files.push({ path, content: printSource(tsm, project, path, structure) });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics };
};
