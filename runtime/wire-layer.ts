/**
 * `novade-ipc/wire`: the NOVA wire layer on its own — the message model, frames, the streaming
 * FrameDecoder, message ids, and the codecs (msgpack, tagged JSON, lz4/zstd sections). For tools and
 * peers that speak the format directly (idl/WIRE.md); RPC users need only `novade-ipc/runtime`.
 */
export * from "./wire/index.js";
export * from "./codec/index.js";
