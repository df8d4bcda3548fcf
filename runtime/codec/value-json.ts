/**
 * JSON encoding of the value sections. JSON has no bigint, no bytes, no
 * undefined and no NaN, so those travel as one-key "tag" objects (idl/WIRE.md
 * "JSON tags"):
 *
 *   {"$n": "-12"}        bigint, decimal
 *   {"$b": "AAEC"}       Uint8Array, base64 (RFC 4648, padded)
 *   {"$u": 1}            undefined (in arrays and at the top level; object
 *                        properties whose value is undefined are omitted, as in JSON)
 *   {"$f": "NaN"}        NaN, "Infinity" or "-Infinity"
 *   {"$o": {...}}        escape: a plain object that itself has exactly one key
 *                        and that key is one of the five tags
 *
 * A `Map` (what generated code uses for NIDL maps) becomes an object whose
 * keys are its string keys, or its number and bigint keys in decimal: the
 * same text keys a MessagePack decoder gives for integer keys, so both
 * formats arrive alike. Other key types are a SerializationError.
 *
 * The walk is top-down (not a JSON.parse reviver) so an escaped object's
 * contents are never mistaken for a tag.
 */
import { IPCError } from "../errors.js";

const TAGS: ReadonlySet<string> = new Set(["$n", "$b", "$u", "$f", "$o"]);
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const BIGINT_TEXT = /^-?(0|[1-9][0-9]*)$/;

/** Converts a value of the value model into a JSON-safe tree (tags applied). */
export function toTaggedJson(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : { $f: String(value) };
    case "bigint":
      return { $n: value.toString() };
    case "undefined":
      return { $u: 1 };
    case "object": {
      if (value === null) return null;
      if (value instanceof Uint8Array) return { $b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
      if (Array.isArray(value)) return value.map(toTaggedJson);
      if (value instanceof Map) return taggedObject(mapEntries(value));
      return taggedObject(Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]));
    }
    default:
      throw new IPCError("SerializationError", `a ${typeof value} cannot be encoded as JSON`, { context: { format: "json" } });
  }
}

/** A JSON object of tagged values; undefined entries are left out, and a lone tag-like key is escaped with `$o`. */
function taggedObject(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  let onlyKey = "";
  for (const [key, v] of entries) {
    if (v === undefined) continue;
    // A "__proto__" key must stay an own data property (assignment would set the prototype).
    if (key === "__proto__") Object.defineProperty(out, key, { value: toTaggedJson(v), enumerable: true, writable: true, configurable: true });
    else out[key] = toTaggedJson(v);
    count++;
    onlyKey = key;
  }
  return count === 1 && TAGS.has(onlyKey) ? { $o: out } : out;
}

/** A Map's entries with text keys (integers in decimal, as msgpack decoders give them; bools as "true"/"false"). */
function* mapEntries(map: Map<unknown, unknown>): Generator<readonly [string, unknown]> {
  for (const [key, v] of map) {
    if (typeof key === "string") yield [key, v];
    else if (typeof key === "bigint" || typeof key === "boolean" || (typeof key === "number" && Number.isFinite(key))) yield [String(key), v];
    else throw new IPCError("SerializationError", `a map key of type ${typeof key} cannot be encoded as JSON`, { context: { format: "json" } });
  }
}

/** Inverse of {@link toTaggedJson}; throws DeserializationError on a malformed tag. */
export function fromTaggedJson(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(fromTaggedJson);
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && TAGS.has(keys[0])) return fromTag(keys[0], obj[keys[0]]);
  return reviveFields(obj);
}

function reviveFields(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    // defineProperty so that a "__proto__" key stays a plain data property.
    Object.defineProperty(out, key, { value: fromTaggedJson(obj[key]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function fromTag(tag: string, v: unknown): unknown {
  switch (tag) {
    case "$n":
      if (typeof v === "string" && BIGINT_TEXT.test(v)) return BigInt(v);
      break;
    case "$b":
      if (typeof v === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0) {
        const buf = Buffer.from(v, "base64");
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      break;
    case "$u":
      if (v === 1) return undefined;
      break;
    case "$f":
      if (v === "NaN") return NaN;
      if (v === "Infinity") return Infinity;
      if (v === "-Infinity") return -Infinity;
      break;
    case "$o":
      if (typeof v === "object" && v !== null && !Array.isArray(v)) return reviveFields(v as Record<string, unknown>);
      break;
  }
  throw new IPCError("DeserializationError", `malformed JSON tag ${JSON.stringify(tag)}`, { context: { format: "json", tag } });
}

/** Encodes one value as UTF-8 JSON text with tags. */
export function encodeJsonValue(value: unknown): Uint8Array {
  let text: string;
  try {
    text = JSON.stringify(toTaggedJson(value));
  } catch (cause) {
    if (cause instanceof IPCError) throw cause;
    throw new IPCError("SerializationError", `value cannot be encoded as JSON: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      context: { format: "json" },
    });
  }
  return Buffer.from(text, "utf8");
}

/** Decodes one JSON value from `bytes[start, end)` (strict UTF-8, tags revived). */
export function decodeJsonValue(bytes: Uint8Array, start: number, end: number): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decoder.decode(bytes.subarray(start, end)));
  } catch (cause) {
    throw new IPCError("DeserializationError", `invalid JSON value section: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      context: { format: "json", offset: start, length: end - start },
    });
  }
  try {
    return fromTaggedJson(parsed);
  } catch (cause) {
    if (cause instanceof IPCError) throw cause;
    throw new IPCError("DeserializationError", "JSON value section nests too deeply", { cause, context: { format: "json" } });
  }
}
