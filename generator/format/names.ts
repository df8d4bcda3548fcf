/**
 * How names and literals are spelled in canonical NIDL: plain identifiers when possible, back-quoted otherwise,
 * strings escaped or triple-quoted. Shared by the printer and the importers (which build AST from XML).
 */

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when `name` can be written without back-quotes. */
export function isPlainIdentifier(name: string): boolean {
  return IDENT.test(name);
}

/** The NIDL spelling of a name: `foo`, or `` `disable-printing` `` when it is not an identifier. */
export function spellName(name: string): string {
  return isPlainIdentifier(name) ? name : `\`${name}\``;
}

/** A `"..."` literal with NIDL escapes for `value`. */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (cp === 0) out += "\\0";
    else if (cp < 0x20 || cp === 0x7f) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * A literal for a long, multi-line text (copyright notices): triple-quoted when the text allows it
 * (no `"""`, no leading/trailing quote), else an escaped string. The lines are indented by `indent`
 * so that the parser's dedent gives back `value` exactly.
 */
export function stringLiteralFor(value: string, indent = "    "): string {
  const tripleSafe = value.includes("\n") && !value.includes('"""') && !value.endsWith('"') && !value.includes("\r") && !/^\s|\s$/.test(value) && !/[ \t]$/m.test(value);
  if (!tripleSafe) return quoteString(value);
  const body = value.split("\n").map((l) => (l.length === 0 ? "" : indent + l));
  return `"""\n${body.join("\n")}\n"""`;
}
