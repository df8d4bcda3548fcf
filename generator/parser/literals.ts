/**
 * Decoding of literal token text: string escapes, triple-quoted raw strings,
 * integer bases. Each returns a value or a problem; the converter turns
 * problems into diagnostics.
 */

/** A decoded value or the reason it could not be decoded (with an offset into the raw text). */
export type Decoded<T> = { ok: true; value: T } | { ok: false; message: string; offset: number; length: number };

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "0": "\0", "'": "'" };

/** Decodes a `"..."` literal including its quotes (an unterminated one lacks the closing quote). */
export function decodeString(raw: string): Decoded<string> {
  const body = raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw.slice(1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = body[i + 1];
    if (n !== undefined && n in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[n];
      i++;
      continue;
    }
    if (n === "u") {
      const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 2));
      const cp = m ? parseInt(m[1], 16) : NaN;
      if (m && cp <= 0x10ffff) {
        out += String.fromCodePoint(cp);
        i += 1 + m[0].length;
        continue;
      }
    }
    return { ok: false, message: `invalid escape sequence "\\${n ?? ""}" (use \\n \\t \\r \\\\ \\" \\0 or \\u{hex})`, offset: i + 1, length: n === undefined ? 1 : 2 };
  }
  return { ok: true, value: out };
}

/**
 * Decodes `"""..."""`: no escapes; a first line that is empty after the opening
 * quotes and a last line of only whitespace are dropped, and the common
 * indentation of the remaining non-blank lines is removed.
 */
export function decodeTripleString(raw: string): string {
  let lines = raw.slice(3, -3).replace(/\r\n/g, "\n").split("\n");
  if (lines.length > 1 && lines[0].trim() === "") lines = lines.slice(1);
  if (lines.length > 1 && lines[lines.length - 1].trim() === "") lines = lines.slice(0, -1);
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => (l.trim() === "" ? "" : l.slice(cut))).join("\n");
}

/** Parses an integer literal (`42`, `0x1F`, `0o17`, `0b101`, `1_000`). */
export function decodeInteger(raw: string): Decoded<bigint> {
  const clean = raw.replace(/_/g, "");
  const digits = /^0[xXoObB]$/.test(clean) ? "" : clean;
  if (digits === "" || raw.endsWith("_") || /__/.test(raw)) {
    return { ok: false, message: `invalid integer literal "${raw}"`, offset: 0, length: raw.length };
  }
  try {
    return { ok: true, value: BigInt(clean.replace(/^0[oO]/, "0o").replace(/^0[bB]/, "0b").replace(/^0[xX]/, "0x")) };
  } catch {
    return { ok: false, message: `invalid integer literal "${raw}"`, offset: 0, length: raw.length };
  }
}
