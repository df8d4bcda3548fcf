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

/** Emits the TypeScript of every package of the model. */
export const emitTypeScript: Emitter = async (model: Model, options: EmitOptions): Promise<EmitResult> => {
  const tsm = await loadTsMorph();
  const project = new tsm.Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    manipulationSettings: {
      indentationText: tsm.IndentationText.TwoSpaces,
      newLineKind: tsm.NewLineKind.LineFeed,
      quoteKind: tsm.QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
  const files: GeneratedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const pkg of model.packages) {
    const result = packageFile(tsm, model, pkg, options);
    diagnostics.push(...result.context.diagnostics);
    if (result.structure === undefined) continue;
    const source = project.createSourceFile(`/out/${result.path}`, result.structure, { overwrite: true });
    source.formatText({
      indentSize: 2,
      tabSize: 2,
      convertTabsToSpaces: true,
      newLineCharacter: "\n",
      semicolons: tsm.ts.SemicolonPreference.Insert,
      insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
    });
    const text = source.getFullText();
    files.push({ path: result.path, content: text.endsWith("\n") ? text : `${text}\n` });
    project.removeSourceFile(source);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics };
};
