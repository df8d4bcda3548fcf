/**
 * Copies values across an in-process "wire" so that caller and callee never
 * share an object by reference — the same isolation a socket gives.
 *
 * The msgpack copy is the default because it reproduces what a real transport
 * does to values (a `Map` with string keys may come back as a plain object,
 * a small int64 as a number, a `Uint8Array` as a `Buffer`); generated
 * validators must cope with all of it, and in-process tests should see it.
 */
import { Packr } from "msgpackr";
import { IPCError } from "../errors.js";

/** How the in-process transport copies values. */
export type ValueCopyMode = "msgpack" | "structured-clone";

/** A function that returns a deep, unshared copy of a value (or throws IPCError). */
export type ValueCopier = (value: unknown) => unknown;

/**
 * Returns a copier for `mode`. Values that cannot be encoded (functions,
 * symbols, class instances structured-clone rejects, ...) become an
 * IPCError `SerializationError` instead of leaking a foreign exception.
 */
export function createValueCopier(mode: ValueCopyMode = "msgpack"): ValueCopier {
  if (mode === "structured-clone") {
    return (value) => {
      try {
        return structuredClone(value);
      } catch (cause) {
        throw new IPCError("SerializationError", "value cannot be copied across the channel", { cause });
      }
    };
  }
  // Records off: they are a msgpackr extension other peers would not know.
  const packr = new Packr({ useRecords: false, int64AsType: "bigint" });
  return (value) => {
    let encoded: Uint8Array;
    try {
      encoded = packr.pack(value);
    } catch (cause) {
      throw new IPCError("SerializationError", "value cannot be encoded as msgpack", { cause });
    }
    try {
      return packr.unpack(encoded);
    } catch (cause) {
      throw new IPCError("DeserializationError", "msgpack value cannot be decoded", { cause });
    }
  };
}
