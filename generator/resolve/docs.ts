/**
 * Doc comment → {@link Docs}: the first paragraph is the summary, the rest the
 * description, unless `@summary("...")` gives the summary explicitly (then the
 * whole comment is the description). Paragraph line breaks are kept.
 */
import type { DocComment } from "../ast.js";
import type { Docs } from "../model.js";

/** No documentation. */
export const NO_DOCS: Docs = { summary: undefined, description: undefined };

/** Splits a doc comment; `explicitSummary` comes from `@summary`. */
export function toDocs(doc: DocComment | undefined, explicitSummary: string | undefined): Docs {
  const lines = doc ? trimBlank([...doc.lines]) : [];
  if (explicitSummary !== undefined) {
    return { summary: explicitSummary, description: lines.length > 0 ? lines.join("\n") : undefined };
  }
  if (lines.length === 0) return NO_DOCS;
  const blank = lines.indexOf("");
  const first = blank < 0 ? lines : lines.slice(0, blank);
  const rest = blank < 0 ? [] : trimBlank(lines.slice(blank + 1));
  return {
    summary: first.map((l) => l.trim()).join(" "),
    description: rest.length > 0 ? rest.join("\n") : undefined,
    raw: lines.join("\n"),
  };
}

/** Docs of an argument: the whole comment is its one-line summary. */
export function toArgDocs(doc: DocComment | undefined, explicitSummary: string | undefined): Docs {
  if (explicitSummary !== undefined) return toDocs(doc, explicitSummary);
  const lines = doc ? trimBlank([...doc.lines]) : [];
  if (lines.length === 0) return NO_DOCS;
  return { summary: lines.map((l) => l.trim()).filter((l) => l !== "").join(" "), description: undefined };
}

function trimBlank(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === "") a++;
  while (b > a && lines[b - 1].trim() === "") b--;
  return lines.slice(a, b);
}
