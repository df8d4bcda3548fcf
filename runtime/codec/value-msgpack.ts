/**
 * MessagePack encoding of the value sections (params, return values, event
 * data), the default payload format. Encoding uses ./msgpack-encoder.ts (the
 * bytes msgpackr writes, without its per-call costs); decoding uses
 * ./msgpack-decoder.ts (faster for small sections, strict). The encoding is chosen so the value model
 * of idl/WIRE.md "Value model" round-trips: bigint <-> int64/uint64, number <->
 * float64 or a compact int, Uint8Array <-> bin (decoded into a fresh copy so a
 * message never aliases a transport's buffer), objects <-> maps with string keys.
 */
import { decodeMsgpack } from "./msgpack-decoder.js";
import { encodeMsgpackScratch } from "./msgpack-encoder.js";

/**
 * Encodes one value as MessagePack (./msgpack-encoder.ts: byte-identical to
 * msgpackr configured as that file says, but writing into a reused buffer).
 * The result is a view into a scratch buffer: copy it before the next call.
 */
export function encodeMsgpackValue(value: unknown): Uint8Array {
  return encodeMsgpackScratch(value);
}

/** Decodes exactly one MessagePack value from `bytes[start, end)`; trailing bytes are an error. */
export function decodeMsgpackValue(bytes: Uint8Array, start: number, end: number): unknown {
  return decodeMsgpack(bytes, start, end);
}
