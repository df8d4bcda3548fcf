/**
 * GVariant text format of D-Bus values, character for character what GLib's
 * g_variant_print(value, TRUE) writes (and so what `gdbus monitor` and
 * `gdbus call` print): type annotations where a value's type is not the
 * default one (`uint32 7`, `@as []`, `objectpath '/a'`), `<…>` around a
 * variant, `%.17g` doubles, byte strings as `b'…'`. The GLib oracle test
 * holds it to that; GLib.Variant.parse reads it back.
 */
import { IPCError } from "../../errors.js";
import { T, parseSignature, parseSingleType, type SigType } from "./signature.js";
import { Variant } from "./variant.js";

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]/u;
const ESCAPES: Record<number, string> = { 7: "a", 8: "b", 12: "f", 10: "n", 13: "r", 9: "t", 11: "v" };

/** C's printf("%.17g", d), as g_ascii_dtostr writes it. */
function g17(d: number): string {
  if (Number.isNaN(d)) return "nan";
  if (!Number.isFinite(d)) return d > 0 ? "inf" : "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const [head, exp] = digits17(Math.abs(d));
  const sign = d < 0 ? "-" : "";
  const trim = (s: string): string => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= 17) return `${sign}${trim(`${head[0]}.${head.slice(1)}`)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  if (exp < 0) return `${sign}${trim(`0.${"0".repeat(-exp - 1)}${head}`)}`;
  return `${sign}${trim(`${head.slice(0, exp + 1)}.${head.slice(exp + 1)}`)}`;
}

/**
 * The 17 significant digits of `d` > 0 and its decimal exponent, rounded as
 * C's printf rounds (to nearest, ties to even, on the exact binary value).
 * toExponential(16) would round a tie up: 1727593670469747.25 must print
 * as ...747.2, as GLib does. 101 exact digits decide every tie: a double that
 * ends exactly in 5 at the 18th digit has no digits past it.
 */
function digits17(d: number): [string, number] {
  const [mant, expText] = d.toExponential(100).split("e") as [string, string];
  const all = mant.replace(".", "");
  let exp = Number(expText);
  let head = all.slice(0, 17);
  const next = all.charCodeAt(17) - 48;
  const tie = next === 5 && !/[1-9]/.test(all.slice(18));
  if (next > 5 || (next === 5 && !tie) || (tie && (head.charCodeAt(16) - 48) % 2 === 1)) {
    const up = (BigInt(head) + 1n).toString();
    if (up.length > 17) {
      head = up.slice(0, 17);
      exp++;
    } else {
      head = up;
    }
  }
  return [head, exp];
}

function double(d: number): string {
  const s = g17(d);
  return /[.en]/i.test(s) ? s : `${s}.0`;
}

function quoted(s: string): string {
  const quote = s.includes("'") ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\";
    if (!NON_PRINTABLE.test(ch)) out += ch;
    else if (c < 0x10000) out += `\\${ESCAPES[c] ?? `u${c.toString(16).padStart(4, "0")}`}`;
    else out += `\\U${c.toString(16).padStart(8, "0")}`;
  }
  return out + quote;
}

/** g_strescape of a byte string (without its final NUL), quoted as GLib prints `ay`. */
function byteString(bytes: Uint8Array): string {
  const esc: Record<number, string> = { 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v", 92: "\\\\", 34: '\\"' };
  let out = "";
  let hasQuote = false;
  for (let i = 0; i < bytes.length - 1; i++) {
    const c = bytes[i]!;
    if (c === 39) hasQuote = true;
    out += esc[c] ?? (c < 0x20 || c >= 0x7f ? `\\${c.toString(8).padStart(3, "0")}` : String.fromCharCode(c));
  }
  return hasQuote ? `b"${out}"` : `b'${out}'`;
}

function bytesOf(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? v : Uint8Array.from(v as number[]);
}

function print(t: SigType, v: unknown, annotate: boolean): string {
  const tag = (name: string): string => (annotate ? `${name} ` : "");
  switch (t.code) {
    case T.BYTE:
      return `${tag("byte")}0x${(v as number).toString(16).padStart(2, "0")}`;
    case T.BOOLEAN:
      return v ? "true" : "false";
    case T.INT16:
      return `${tag("int16")}${v as number}`;
    case T.UINT16:
      return `${tag("uint16")}${v as number}`;
    case T.INT32:
      return String(v);
    case T.UINT32:
      return `${tag("uint32")}${v as number}`;
    case T.INT64:
      return `${tag("int64")}${String(v)}`;
    case T.UINT64:
      return `${tag("uint64")}${String(v)}`;
    case T.UNIX_FD:
      return `${tag("handle")}${v as number}`;
    case T.DOUBLE:
      return double(v as number);
    case T.STRING:
      return quoted(v as string);
    case T.OBJECT_PATH:
      return `${tag("objectpath")}'${v as string}'`;
    case T.SIGNATURE:
      return `${tag("signature")}'${v as string}'`;
    case T.VARIANT: {
      const variant = v as Variant;
      return `<${print(parseSingleType(variant.signature), variant.value, true)}>`;
    }
    case T.STRUCT: {
      const fields = t.fields!;
      const parts = fields.map((f, i) => print(f, (v as unknown[])[i], annotate));
      return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(", ")})`;
    }
    case T.ARRAY:
      return printArray(t, v, annotate);
    default:
      throw new IPCError("InvalidArgument", `cannot format a value of type ${t.text}`);
  }
}

function printArray(t: SigType, v: unknown, annotate: boolean): string {
  const elem = t.elem!;
  if (elem.code === T.BYTE) {
    const bytes = bytesOf(v);
    const firstNul = bytes.indexOf(0);
    if (bytes.length > 0 && firstNul === bytes.length - 1) return byteString(bytes);
    if (bytes.length === 0) return `${annotate ? `@${t.text} ` : ""}[]`;
    return `[${Array.from(bytes, (b, i) => print(elem, b, annotate && i === 0)).join(", ")}]`;
  }
  if (t.isDict) {
    const map = v as Map<unknown, unknown>;
    if (map.size === 0) return `${annotate ? `@${t.text} ` : ""}{}`;
    const [kt, vt] = elem.fields!;
    const parts: string[] = [];
    let first = annotate;
    for (const [key, val] of map) {
      parts.push(`${print(kt!, key, first)}: ${print(vt!, val, first)}`);
      first = false;
    }
    return `{${parts.join(", ")}}`;
  }
  const items = v as unknown[];
  if (items.length === 0) return `${annotate ? `@${t.text} ` : ""}[]`;
  return `[${items.map((item, i) => print(elem, item, annotate && i === 0)).join(", ")}]`;
}

/**
 * One value of the single complete type `signature` in GVariant text format
 * (annotated like g_variant_print(v, TRUE) unless `annotate` is false).
 * The value must be valid for the type (as decoded, or as accepted by the encoder).
 */
export function formatValue(signature: string, value: unknown, annotate = true): string {
  return print(parseSingleType(signature), value, annotate);
}

/** A whole message body as GLib prints it: a tuple, `(int32 1, 'a')` style; `()` for no body. */
export function formatBody(signature: string, body: readonly unknown[], annotate = true): string {
  const types = parseSignature(signature).types;
  const parts = types.map((t, i) => print(t, body[i], annotate));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(", ")})`;
}
