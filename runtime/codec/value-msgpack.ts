/**
 * MessagePack encoding of the value sections (params, return values, event
 * data), the default payload format. Encoding uses msgpackr; decoding uses
 * ./msgpack-decoder.ts (faster for small sections, strict). msgpackr is configured so the value model
 * of idl/WIRE.md "Value model" round-trips: bigint <-> int64/uint64, number <->
 * float64 or a compact int, Uint8Array <-> bin (decoded into a fresh copy so a
 * message never aliases a transport's buffer), objects <-> maps with string keys.
 */
import { Packr } from "msgpackr";
import { IPCError } from "../errors.js";
import { decodeMsgpack } from "./msgpack-decoder.js";

const packr = new Packr({
  // Records are a msgpackr-only extension that other languages do not read.
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: "bigint",
  copyBuffers: true,
  moreTypes: false,
});

/** Encodes one value as MessagePack. The result may be a view into msgpackr's scratch buffer: copy it before the next call. */
export function encodeMsgpackValue(value: unknown): Uint8Array {
  try {
    return packr.pack(value);
  } catch (cause) {
    throw new IPCError("SerializationError", `value cannot be encoded as msgpack: ${describe(cause)}`, {
      cause,
      context: { format: "msgpack" },
    });
  }
}

/** Decodes exactly one MessagePack value from `bytes[start, end)`; trailing bytes are an error. */
export function decodeMsgpackValue(bytes: Uint8Array, start: number, end: number): unknown {
  return decodeMsgpack(bytes, start, end);
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
