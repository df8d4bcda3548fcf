/**
 * D-Bus type signatures → NIDL type nodes. `ay` becomes `bytes` (the canonical spelling the D-Bus emitter
 * turns back into `ay`); every other type has exactly one NIDL spelling, so signatures round-trip.
 *
 * The rules are the D-Bus specification's ("Valid Signatures"): every basic type may be a dict key, a dict
 * entry only directly inside an array, no empty struct, at most 255 bytes, and at most 32 nested arrays and
 * 32 nested structs (libdbus counts the two separately: `dbus_signature_validate`).
 */
import type { TypeNode } from "../ast.js";
import type { AstBuilder } from "./ast-builder.js";

const BASIC: Record<string, string> = {
  y: "u8", b: "bool", n: "i16", q: "u16", i: "i32", u: "u32", x: "i64", t: "u64", d: "f64",
  h: "fd", s: "string", o: "objpath", g: "signature", v: "variant",
};
/** The basic (non-container) types, the only ones that may be dict keys; `v` is a container. */
const DICT_KEYS = new Set("ybnqiuxtdhsog");
/** D-Bus limits: a signature is at most 255 bytes; arrays and structs each nest at most 32 deep. */
export const MAX_SIGNATURE_LENGTH = 255;
export const MAX_CONTAINER_DEPTH = 32;

/** A parsed signature, or why it is not one complete D-Bus type. */
export type SignatureResult = { readonly ok: true; readonly type: TypeNode } | { readonly ok: false; readonly reason: string };

/** Parses exactly one complete type. */
export function signatureToType(b: AstBuilder, sig: string): SignatureResult {
  if (sig.length === 0) return { ok: false, reason: "empty signature" };
  if (sig.length > MAX_SIGNATURE_LENGTH) return { ok: false, reason: `longer than ${MAX_SIGNATURE_LENGTH} characters` };
  let pos = 0;
  const fail = (reason: string): never => {
    throw new SignatureError(reason);
  };
  // The depth checks also bound the recursion: at most 2 × 32 frames for a 255-byte input.
  const one = (arrays: number, structs: number): TypeNode => {
    const c = sig[pos++];
    if (c === undefined) return fail("signature ends inside a container");
    const basic = BASIC[c];
    if (basic !== undefined) return b.named(basic);
    if (c === "a") {
      if (arrays + 1 > MAX_CONTAINER_DEPTH) fail(`more than ${MAX_CONTAINER_DEPTH} nested arrays`);
      if (sig[pos] === "y") {
        pos++;
        return b.named("bytes");
      }
      if (sig[pos] === "{") {
        pos++;
        const k = sig[pos];
        if (k === undefined || !DICT_KEYS.has(k)) fail(`dict key "${k ?? ""}" is not a basic type`);
        const key = one(arrays + 1, structs);
        const value = one(arrays + 1, structs);
        if (sig[pos++] !== "}") fail("dict entry must have exactly a key and a value");
        return b.named("map", key, value);
      }
      return b.named("list", one(arrays + 1, structs));
    }
    if (c === "(") {
      if (structs + 1 > MAX_CONTAINER_DEPTH) fail(`more than ${MAX_CONTAINER_DEPTH} nested structs`);
      const elements: TypeNode[] = [];
      while (sig[pos] !== ")") {
        if (pos >= sig.length) fail("unclosed struct");
        elements.push(one(arrays, structs + 1));
      }
      pos++;
      if (elements.length === 0) fail("empty struct");
      return b.tuple(elements);
    }
    if (c === "{") return fail("a dict entry {…} may only appear directly inside an array (a{…})");
    return fail(`unknown type code "${c}"`);
  };
  try {
    const type = one(0, 0);
    if (pos !== sig.length) return { ok: false, reason: `"${sig}" holds more than one complete type` };
    return { ok: true, type };
  } catch (e) {
    if (e instanceof SignatureError) return { ok: false, reason: e.message };
    throw e;
  }
}

class SignatureError extends Error {}
