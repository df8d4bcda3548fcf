/**
 * D-Bus type signatures: parsing, validation against the specification's
 * limits, and a cache of parsed signatures so that the codec's hot path never
 * re-parses the text of a signature it has seen.
 *
 * A parsed type is a small immutable tree ({@link SigType}); the encoder and
 * decoder switch on its `code` (the type's character code) instead of
 * building a closure per type, which keeps them monomorphic and cheap.
 */
import { IPCError, type IPCErrorCode } from "../../errors.js";

/** The maximum length of a signature in bytes (D-Bus specification, "Valid Signatures"). */
export const MAX_SIGNATURE_LENGTH = 255;
/** The maximum nesting of arrays, and separately of structs / dict entries. */
export const MAX_CONTAINER_NESTING = 32;
/** The maximum total nesting of containers in a value, variants included. */
export const MAX_TOTAL_NESTING = 64;

/** Character codes of the type letters, named for the codec's switches. */
export const enum T {
  BYTE = 121, // y
  BOOLEAN = 98, // b
  INT16 = 110, // n
  UINT16 = 113, // q
  INT32 = 105, // i
  UINT32 = 117, // u
  INT64 = 120, // x
  UINT64 = 116, // t
  DOUBLE = 100, // d
  STRING = 115, // s
  OBJECT_PATH = 111, // o
  SIGNATURE = 103, // g
  UNIX_FD = 104, // h
  ARRAY = 97, // a
  STRUCT = 40, // (
  DICT_ENTRY = 123, // {
  VARIANT = 118, // v
}

/** One complete type of a signature. */
export interface SigType {
  /** The type letter's character code ({@link T}); `(` for structs, `{` for dict entries. */
  readonly code: number;
  /** The signature text of this one type, e.g. `a{sv}`. */
  readonly text: string;
  /** Its alignment in bytes (1, 2, 4 or 8). */
  readonly align: number;
  /** The element type of an array. */
  readonly elem: SigType | undefined;
  /** The fields of a struct, or key and value of a dict entry. */
  readonly fields: readonly SigType[] | undefined;
  /** True for an array of dict entries (a{…}): JS value is a Map. */
  readonly isDict: boolean;
}

/** A parsed signature: its complete types in order. */
export interface Signature {
  readonly text: string;
  readonly types: readonly SigType[];
  /**
   * True when a value of the signature may carry descriptors: it contains `h`,
   * or `v` (a variant may hold one). The encoder then writes the body before
   * the header, whose UNIX_FDS field must count them.
   */
  readonly mayHaveFds: boolean;
}

const BASIC = "ybnqiuxtdsogh";
const ALIGN: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, s: 4, o: 4, g: 1, h: 4, a: 4, "(": 8, "{": 8, v: 1 };

/** True for the type codes allowed as dict keys (the basic types). */
export function isBasicCode(code: number): boolean {
  return BASIC.includes(String.fromCharCode(code));
}

class Parser {
  pos = 0;
  mayHaveFds = false;
  constructor(
    readonly text: string,
    readonly code: IPCErrorCode,
  ) {}

  fail(why: string): never {
    throw new IPCError(this.code, `invalid D-Bus signature ${JSON.stringify(this.text)}: ${why}`, { context: { signature: this.text, offset: this.pos } });
  }

  one(arrays: number, structs: number): SigType {
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === undefined) this.fail("a type ends early");
    this.pos++;
    if (BASIC.includes(c) || c === "v") {
      if (c === "h" || c === "v") this.mayHaveFds = true;
      return leaf(c);
    }
    if (c === "a") {
      if (arrays + 1 > MAX_CONTAINER_NESTING) this.fail(`more than ${MAX_CONTAINER_NESTING} nested arrays`);
      if (this.text[this.pos] === "{") {
        this.pos++;
        if (structs + 1 > MAX_CONTAINER_NESTING) this.fail(`more than ${MAX_CONTAINER_NESTING} nested structs`);
        const keyAt = this.pos;
        const key = this.one(arrays + 1, structs + 1);
        if (!isBasicCode(key.code)) {
          this.pos = keyAt;
          this.fail(`a dict key must be a basic type, not ${key.text}`);
        }
        const value = this.one(arrays + 1, structs + 1);
        if (this.text[this.pos] !== "}") this.fail("a dict entry holds exactly one key and one value");
        this.pos++;
        const entryText = this.text.slice(start + 1, this.pos);
        const entry: SigType = { code: T.DICT_ENTRY, text: entryText, align: 8, elem: undefined, fields: [key, value], isDict: false };
        return { code: T.ARRAY, text: this.text.slice(start, this.pos), align: 4, elem: entry, fields: undefined, isDict: true };
      }
      const elem = this.one(arrays + 1, structs);
      return { code: T.ARRAY, text: this.text.slice(start, this.pos), align: 4, elem, fields: undefined, isDict: false };
    }
    if (c === "(") {
      if (structs + 1 > MAX_CONTAINER_NESTING) this.fail(`more than ${MAX_CONTAINER_NESTING} nested structs`);
      const fields: SigType[] = [];
      while (this.text[this.pos] !== ")") {
        if (this.pos >= this.text.length) this.fail("a struct is not closed");
        fields.push(this.one(arrays, structs + 1));
      }
      if (fields.length === 0) this.fail("a struct has no fields");
      this.pos++;
      return { code: T.STRUCT, text: this.text.slice(start, this.pos), align: 8, elem: undefined, fields, isDict: false };
    }
    this.pos = start;
    if (c === "{") this.fail("a dict entry may only be the element of an array");
    this.fail(`unknown type code ${JSON.stringify(c)}`);
  }
}

const leaves = new Map<string, SigType>();
function leaf(c: string): SigType {
  let t = leaves.get(c);
  if (t === undefined) {
    t = { code: c.charCodeAt(0), text: c, align: ALIGN[c]!, elem: undefined, fields: undefined, isDict: false };
    leaves.set(c, t);
  }
  return t;
}

const CACHE_LIMIT = 4096;
const cache = new Map<string, Signature>();

/**
 * Parses and validates a signature (any number of complete types), with the
 * spec's limits: ≤ 255 bytes, ≤ 32 nested arrays and ≤ 32 nested structs,
 * dict entries only inside arrays with a basic key. Results are cached.
 * Throws IPCError with `code` (default InvalidArgument; the decoder passes
 * DeserializationError for a signature read off the wire).
 */
export function parseSignature(text: string, code: IPCErrorCode = "InvalidArgument"): Signature {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  if (typeof text !== "string") throw new IPCError(code, `a D-Bus signature must be a string, got ${typeof text}`);
  const p = new Parser(text, code);
  if (text.length > MAX_SIGNATURE_LENGTH) p.fail(`longer than ${MAX_SIGNATURE_LENGTH} bytes`);
  const types: SigType[] = [];
  while (p.pos < text.length) types.push(p.one(0, 0));
  const sig: Signature = { text, types, mayHaveFds: p.mayHaveFds };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, sig);
  return sig;
}

/** Parses a signature that must hold exactly one complete type (a variant's, a property's). */
export function parseSingleType(text: string, code: IPCErrorCode = "InvalidArgument"): SigType {
  const sig = parseSignature(text, code);
  if (sig.types.length !== 1) {
    throw new IPCError(code, `expected exactly one complete type, got ${JSON.stringify(text)} (${sig.types.length} types)`, { context: { signature: text } });
  }
  return sig.types[0]!;
}

/** True when `text` is a valid signature (any number of complete types). */
export function isValidSignature(text: string): boolean {
  try {
    parseSignature(text);
    return true;
  } catch {
    return false;
  }
}
