/**
 * XML text helpers shared by the XML emitters: attribute/text escaping and
 * comment-safe text, applied when building view models so templates only
 * print ready-made strings.
 */

/** Escapes text for an attribute value in double quotes or for element content. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Escapes element content (quotes need no escaping there, which keeps prose readable). */
export function escapeXmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Makes text safe inside `<!-- -->`: no `--` and no trailing `-`. */
export function commentSafe(text: string): string {
  let t = text;
  while (t.includes("--")) t = t.replace(/--/g, "- -");
  return t.endsWith("-") ? t + " " : t;
}

/** Indents every non-empty line by `indent`; empty lines stay empty (no trailing spaces). */
export function indentLines(lines: readonly string[], indent: string): string[] {
  return lines.map((l) => (l.trim() === "" ? "" : indent + l.replace(/\s+$/, "")));
}

/**
 * A complete XML comment block at `indent` (with a trailing newline), or ""
 * when there is nothing to say. Paragraph text is kept line by line.
 */
export function commentBlock(paragraphs: readonly (string | undefined)[], indent: string): string {
  const parts = paragraphs.filter((p): p is string => p !== undefined && p.trim() !== "");
  if (parts.length === 0) return "";
  const lines = parts.flatMap((p, i) => (i === 0 ? p.split("\n") : ["", ...p.split("\n")])).map(commentSafe);
  return `${indent}<!--\n${indentLines(lines, indent + "  ").join("\n")}\n${indent}-->\n`;
}
