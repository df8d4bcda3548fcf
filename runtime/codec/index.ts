/**
 * Codecs: the spec's serialize/deserialize interface (5.2.1), the value
 * formats (msgpack, tagged JSON) and section compression (lz4, zstd).
 */
export { serializeMessage, serializeMessageAsync, deserializeMessage, deserializeMessageAsync } from "./serialize.js";
export { encodeMsgpackValue, decodeMsgpackValue } from "./value-msgpack.js";
export { encodeJsonValue, decodeJsonValue, toTaggedJson, fromTaggedJson } from "./value-json.js";
export { compressSection, compressSectionAsync, decompressSection, decompressSectionAsync, ZSTD_LEVEL } from "./compression.js";
export { zstdDecompressedBound } from "./zstd-frame.js";
