/**
 * Reading GVariant text (what `gdbus call` takes and what wire/format.ts
 * writes) into the JS D-Bus values of runtime/dbus/README.md, so `nova dbus
 * call --gvariant` accepts exactly what `gdbus` and `nova dbus` print.
 *
 * Two steps, as in GLib: the text is parsed into an untyped tree, then the
 * tree is given the expected type. A variant's contents have no expected
 * type, so theirs is inferred the way GLib does: from a type annotation
 * (`uint32 7`, `@as []`, `objectpath '/a'`), else `i` for an integer, `d`
 * for a number with a point or exponent, `s`, `b`, `ay` for `b'…'`, and
 * containers from their elements. Every mistake is an IPCError
 * InvalidArgument naming the offset in the text.
 */
import { IPCError } from "../errors.js";
import { MAX_TOTAL_NESTING, T, parseSignature, parseSingleType, type SigType } from "./wire/signature.js";
import { isObjectPath } from "./wire/names.js";
import { Variant } from "./wire/variant.js";

type Node =
  | { readonly k: "num"; readonly text: string; readonly at: number }
  | { readonly k: "str"; readonly value: string; readonly at: number }
  | { readonly k: "bytes"; readonly value: Uint8Array; readonly at: number }
  | { readonly k: "bool"; readonly value: boolean; readonly at: number }
  | { readonly k: "array" | "tuple"; readonly items: readonly Node[]; readonly at: number }
  | { readonly k: "dict"; readonly entries: readonly (readonly [Node, Node])[]; readonly at: number }
  | { readonly k: "variant"; readonly inner: Node; readonly at: number }
  | { readonly k: "typed"; readonly sig: string; readonly inner: Node; readonly at: number };

/** GLib's type keywords (`uint32 7`) and the signature each stands for. */
const KEYWORDS: Readonly<Record<string, string>> = {
  boolean: "b", byte: "y", int16: "n", uint16: "q", int32: "i", uint32: "u", int64: "x", uint64: "t",
  handle: "h", double: "d", string: "s", objectpath: "o", signature: "g",
};
const NUMBER = /[+-]?(?:inf|nan|0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/y;
const WORD = /[a-z][a-z0-9]*/y;
const utf8 = new TextEncoder();
const ESCAPES: Readonly<Record<string, string>> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
const INT_RANGES: Readonly<Record<number, readonly [bigint, bigint]>> = {
  [T.BYTE]: [0n, 0xffn], [T.INT16]: [-0x8000n, 0x7fffn], [T.UINT16]: [0n, 0xffffn], [T.INT32]: [-0x8000_0000n, 0x7fff_ffffn],
  [T.UINT32]: [0n, 0xffff_ffffn], [T.INT64]: [-(2n ** 63n), 2n ** 63n - 1n], [T.UINT64]: [0n, 2n ** 64n - 1n], [T.UNIX_FD]: [0n, 0x7fff_ffffn],
};

const PREFIX = "GVariant text, offset ";

function bad(message: string, at: number, text: string): IPCError {
  return new IPCError("InvalidArgument", `${PREFIX}${at}: ${message}`, { context: { offset: at, text } });
}

/**
 * An integer of type `t` (a D-Bus integer type letter's code) from its text: decimal, `0x` hex,
 * or, as GLib reads numbers, octal after a leading 0. Also used for busctl-style arguments.
 * Throws InvalidArgument for a non-integer or one out of the type's range.
 */
export function integerOf(t: SigType, text: string): number | bigint {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) throw new IPCError("InvalidArgument", `${JSON.stringify(text)} is not an integer (type ${t.text})`, { context: { type: t.text } });
  const digits = m[2]!;
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const n = m[1] === "-" ? -magnitude : magnitude;
  const [min, max] = INT_RANGES[t.code]!;
  if (n < min || n > max) throw new IPCError("InvalidArgument", `${text} is out of range for type ${t.text} (${min}..${max})`, { context: { type: t.text } });
  return t.code === T.INT64 || t.code === T.UINT64 ? n : Number(n);
}

/** A double from its text (`inf`, `-inf`, `nan` included). Throws InvalidArgument. */
export function doubleOf(text: string): number {
  const m = /^([+-]?)(inf|nan)$/.exec(text);
  if (m) return m[2] === "nan" ? NaN : m[1] === "-" ? -Infinity : Infinity;
  const d = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(d)) throw new IPCError("InvalidArgument", `${JSON.stringify(text)} is not a number (type d)`, { context: { type: "d" } });
  return d;
}

class Parser {
  i = 0;
  /** Containers open around the current position (bounded, so deep text cannot exhaust the stack). */
  depth = 0;
  constructor(readonly text: string) {}

  fail(message: string, at = this.i): never {
    throw bad(message, at, this.text);
  }

  skip(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  eat(ch: string): boolean {
    this.skip();
    if (this.text[this.i] !== ch) return false;
    this.i++;
    return true;
  }

  expect(ch: string): void {
    if (!this.eat(ch)) this.fail(`expected "${ch}"`);
  }

  /** Items up to `close`, separated by commas (a trailing comma allowed). */
  list(close: string, item: () => void): void {
    while (!this.eat(close)) {
      item();
      if (!this.eat(",")) {
        this.expect(close);
        return;
      }
    }
  }

  value(): Node {
    if (++this.depth > MAX_TOTAL_NESTING) this.fail(`more than ${MAX_TOTAL_NESTING} nested values`);
    try {
      return this.item();
    } finally {
      this.depth--;
    }
  }

  item(): Node {
    this.skip();
    const at = this.i;
    const c = this.text[at];
    if (c === undefined) this.fail("expected a value, found the end of the text");
    if (c === "(" || c === "[") {
      this.i++;
      const items: Node[] = [];
      this.list(c === "(" ? ")" : "]", () => items.push(this.value()));
      return { k: c === "(" ? "tuple" : "array", items, at };
    }
    if (c === "{") {
      this.i++;
      const entries: [Node, Node][] = [];
      this.list("}", () => {
        const key = this.value();
        this.expect(":");
        entries.push([key, this.value()]);
      });
      return { k: "dict", entries, at };
    }
    if (c === "<") {
      this.i++;
      const inner = this.value();
      this.expect(">");
      return { k: "variant", inner, at };
    }
    if (c === "@") {
      const sig = this.text.slice(at + 1, typeEnd(this.text, at + 1));
      this.i = at + 1 + sig.length;
      return { k: "typed", sig: singleType(sig, at, this.text).text, inner: this.value(), at };
    }
    if (c === "'" || c === '"') return { k: "str", value: this.string(), at };
    if (c === "b" && (this.text[at + 1] === "'" || this.text[at + 1] === '"')) {
      this.i++;
      const latin1 = this.string(true);
      return { k: "bytes", value: Uint8Array.from(latin1, (ch) => ch.charCodeAt(0)), at };
    }
    WORD.lastIndex = at;
    const word = WORD.exec(this.text)?.[0];
    if (word === "true" || word === "false") {
      this.i += word.length;
      return { k: "bool", value: word === "true", at };
    }
    if (word !== undefined && KEYWORDS[word] !== undefined) {
      this.i += word.length;
      return { k: "typed", sig: KEYWORDS[word], inner: this.value(), at };
    }
    NUMBER.lastIndex = at;
    const num = NUMBER.exec(this.text)?.[0];
    if (num === undefined) this.fail(`unexpected ${JSON.stringify(c)}`);
    this.i += num.length;
    return { k: "num", text: num, at };
  }

  /**
   * A quoted string with GLib's escapes (`\n`, `\u00e9`, `\U0001f600`, `\'` …); in a byte string
   * (`b'…'`, `bytes`) also octal escapes (`\377`), which give one byte each.
   */
  string(bytes = false): string {
    const quote = this.text[this.i]!;
    const start = this.i++;
    let out = "";
    for (;;) {
      const ch = this.text[this.i++];
      if (ch === undefined) this.fail("unterminated string", start);
      if (ch === quote) return out;
      if (ch !== "\\") {
        out += bytes ? String.fromCharCode(...utf8.encode(ch)) : ch;
        continue;
      }
      const e = this.text[this.i++] ?? this.fail("unterminated string", start);
      const hex = e === "u" ? 4 : e === "U" ? 8 : 0;
      const octal = bytes ? /^[0-7]{1,3}/.exec(this.text.slice(this.i - 1, this.i + 2))?.[0] : undefined;
      if (octal !== undefined) {
        out += String.fromCharCode(parseInt(octal, 8) & 0xff);
        this.i += octal.length - 1;
      } else if (hex > 0) {
        const digits = this.text.slice(this.i, this.i + hex);
        if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) this.fail(`\\${e} needs ${hex} hex digits`, this.i - 2);
        const cp = String.fromCodePoint(parseInt(digits, 16));
        out += bytes ? String.fromCharCode(...utf8.encode(cp)) : cp;
        this.i += hex;
      } else {
        out += ESCAPES[e] ?? e;
      }
    }
  }
}

/** Where the complete type starting at `i` ends: `a`s, then one letter or a bracketed group. */
function typeEnd(text: string, i: number): number {
  while (text[i] === "a") i++;
  const open = text[i];
  if (open !== "(" && open !== "{") return Math.min(i + 1, text.length);
  for (let depth = 0; i < text.length; i++) {
    if (text[i] === "(" || text[i] === "{") depth++;
    else if ((text[i] === ")" || text[i] === "}") && --depth === 0) return i + 1;
  }
  return i;
}

function singleType(sig: string, at: number, text: string): SigType {
  try {
    return parseSingleType(sig);
  } catch (cause) {
    throw bad(`${JSON.stringify(sig)} is not a single complete type`, at, text);
  }
}

/** The signature GLib would give `node` with no expected type (a variant's contents). */
function infer(node: Node, text: string): string {
  switch (node.k) {
    case "typed":
      return node.sig;
    case "num":
      return /[.eEn]/.test(node.text.replace(/^[+-]?0[xX].*/, "")) ? "d" : "i";
    case "str":
      return "s";
    case "bytes":
      return "ay";
    case "bool":
      return "b";
    case "variant":
      return "v";
    case "tuple":
      return `(${node.items.map((n) => infer(n, text)).join("")})`;
    case "array": {
      if (node.items.length === 0) throw bad("the type of an empty array cannot be inferred: annotate it (@as [])", node.at, text);
      return `a${common(node.items.map((n) => infer(n, text)))}`;
    }
    case "dict": {
      const [k, v] = node.entries[0] ?? [];
      if (k === undefined || v === undefined) throw bad("the type of an empty dictionary cannot be inferred: annotate it (@a{sv} {})", node.at, text);
      return `a{${common(node.entries.map(([key]) => infer(key, text)))}${common(node.entries.map(([, val]) => infer(val, text)))}}`;
    }
  }
}

/**
 * The element type of an array: the first element's, as GLib's formatter annotates only the
 * first element (`[byte 0x01, 0x02]`); plain integers mixed with doubles are doubles.
 */
function common(sigs: readonly string[]): string {
  return sigs[0] === "i" && sigs.includes("d") ? "d" : sigs[0]!;
}

function typed(node: Node, t: SigType, text: string): unknown {
  if (node.k === "typed") {
    if (node.sig !== t.text) throw bad(`the value is annotated as ${node.sig}, but ${t.text} is expected here`, node.at, text);
    return typed(node.inner, t, text);
  }
  const want = (): never => {
    throw bad(`expected a value of type ${t.text}`, node.at, text);
  };
  try {
    switch (t.code) {
      case T.BOOLEAN:
        return node.k === "bool" ? node.value : want();
      case T.DOUBLE:
        return node.k === "num" ? doubleOf(node.text) : want();
      case T.STRING:
      case T.SIGNATURE:
      case T.OBJECT_PATH:
        if (node.k !== "str") return want();
        if (t.code === T.OBJECT_PATH && !isObjectPath(node.value)) throw bad(`${JSON.stringify(node.value)} is not an object path`, node.at, text);
        if (t.code === T.SIGNATURE) parseSignature(node.value);
        return node.value;
      case T.VARIANT: {
        if (node.k !== "variant") return want();
        const sig = infer(node.inner, text);
        return new Variant(sig, typed(node.inner, singleType(sig, node.at, text), text));
      }
      case T.STRUCT: {
        const fields = t.fields!;
        if (node.k !== "tuple" || node.items.length !== fields.length) throw bad(`expected a tuple of type ${t.text}`, node.at, text);
        return fields.map((f, i) => typed(node.items[i]!, f, text));
      }
      case T.ARRAY:
        return array(node, t, text);
      default:
        return node.k === "num" ? integerOf(t, node.text) : want();
    }
  } catch (error) {
    // A value check of another module (integer range, signature): located at this value.
    if (error instanceof IPCError && !error.message.startsWith(PREFIX)) throw bad(error.message, node.at, text);
    throw error;
  }
}

function array(node: Node, t: SigType, text: string): unknown {
  const elem = t.elem!;
  if (t.isDict) {
    const [kt, vt] = elem.fields!;
    if (node.k === "array" && node.items.length === 0) return new Map();
    if (node.k !== "dict") throw bad(`expected a dictionary of type ${t.text}`, node.at, text);
    return new Map(node.entries.map(([key, val]) => [typed(key, kt!, text), typed(val, vt!, text)]));
  }
  if (elem.code === T.BYTE && node.k === "bytes") return Uint8Array.of(...node.value, 0);
  if (node.k !== "array") throw bad(`expected an array of type ${t.text}`, node.at, text);
  const items = node.items.map((n) => typed(n, elem, text));
  return elem.code === T.BYTE ? Uint8Array.from(items as number[]) : items;
}

function parseWhole(text: string): Node {
  const p = new Parser(text);
  const node = p.value();
  p.skip();
  if (p.i < text.length) p.fail("unexpected text after the value");
  return node;
}

/** One value of the single complete type `signature` from GVariant text. Throws IPCError InvalidArgument. */
export function parseGVariant(signature: string, text: string): unknown {
  return typed(parseWhole(text), singleType(signature, 0, signature), text);
}

/**
 * A message body of `signature` (any number of complete types) from GVariant tuple text, as
 * `formatBody` prints it: `(int32 1, 'a')`, `('a',)`, `()`. Throws IPCError InvalidArgument.
 */
export function parseGVariantBody(signature: string, text: string): unknown[] {
  const types = parseSignature(signature).types;
  if (types.length === 0 && text.trim() === "") return [];
  const node = parseWhole(text);
  const tuple = node.k === "typed" ? node.inner : node;
  if (tuple.k !== "tuple") throw bad(`the arguments must be a tuple such as (1, 'a') or ('a',) for signature "${signature}"`, node.at, text);
  if (tuple.items.length !== types.length) throw bad(`${tuple.items.length} values for signature "${signature}" (${types.length} expected)`, node.at, text);
  return types.map((t, i) => typed(tuple.items[i]!, t, text));
}

/** A value whose type comes from the text alone (annotations and GLib's defaults): `uint32 5` → Variant("u", 5). */
export function parseGVariantInferred(text: string): Variant {
  const node = parseWhole(text);
  const sig = infer(node, text);
  return new Variant(sig, typed(node, singleType(sig, 0, text), text));
}
