/**
 * Printing one TypeScript file from ts-morph structures with the fixed settings
 * every TypeScript emitter uses (2 spaces, double quotes, LF, trailing commas,
 * semicolons), so output is byte-identical run to run and between emitters.
 */
import type { Project, SourceFileStructure } from "ts-morph";
import type { Tsm } from "./tsm.js";

/** An in-memory project with the shared manipulation settings. */
export function createPrintProject(tsm: Tsm): Project {
  return new tsm.Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    manipulationSettings: {
      indentationText: tsm.IndentationText.TwoSpaces,
      newLineKind: tsm.NewLineKind.LineFeed,
      quoteKind: tsm.QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
}

/** The formatted text of `structure` as file `path` (ending with one newline); the project keeps nothing. */
export function printSource(tsm: Tsm, project: Project, path: string, structure: SourceFileStructure): string {
  const source = project.createSourceFile(`/out/${path}`, structure, { overwrite: true });
  source.formatText({
    indentSize: 2,
    tabSize: 2,
    convertTabsToSpaces: true,
    newLineCharacter: "\n",
    semicolons: tsm.ts.SemicolonPreference.Insert,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
  });
  const text = source.getFullText();
  project.removeSourceFile(source);
  return text.endsWith("\n") ? text : `${text}\n`;
}
