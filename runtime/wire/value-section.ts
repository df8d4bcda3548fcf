/**
 * The format-encoded (and optionally compressed) tail of a body: a Request's
 * params, a Response's [value, error], an Event's data.
 */
import { decompressSection } from "../codec/compression.js";
import { decodeJsonValue, encodeJsonValue } from "../codec/value-json.js";
import { decodeMsgpackValue, encodeMsgpackValue } from "../codec/value-msgpack.js";
import type { CompressionType, PayloadFormat } from "./message.js";

/** Encodes one value in `format` (uncompressed). May be a scratch view: use before the next encode. */
export function encodeValue(value: unknown, format: PayloadFormat): Uint8Array {
  return format === "json" ? encodeJsonValue(value) : encodeMsgpackValue(value);
}

/** Decodes the section `b[start, end)`: decompress (bounded by `maxSize`), then parse one value. */
export function decodeSection(
  b: Uint8Array,
  start: number,
  end: number,
  format: PayloadFormat,
  compression: CompressionType,
  maxSize: number,
): unknown {
  let bytes = b;
  let s = start;
  let e = end;
  if (compression !== "none") {
    bytes = decompressSection(b, start, end, compression, maxSize);
    s = 0;
    e = bytes.length;
  }
  return decodeValue(bytes, s, e, format);
}

/** Parses one uncompressed value in `format` from `b[start, end)`. */
export function decodeValue(b: Uint8Array, start: number, end: number, format: PayloadFormat): unknown {
  return format === "json" ? decodeJsonValue(b, start, end) : decodeMsgpackValue(b, start, end);
}
