// Batched NOVA frame checksums (idl/WIRE.md §1–§4). One JS→C++ call walks
// every frame of a chunk, so the ~100 ns call overhead is paid per chunk and
// not per frame. Neither function allocates, and neither touches bytes
// outside [start, end); no alignment of the buffer or of any frame is assumed.
#pragma once
#include <napi.h>

namespace nova {

// scanFrames(buf: Uint8Array, start: number, end: number, maxPayload: number): number
// Offset of the first position in [start, end) that does not begin a GOOD
// frame (magic "NOVA", major 1, length <= maxPayload, complete, CRC matches);
// `end` when the range is all good frames. Type and flags are not checked.
Napi::Value ScanFrames(const Napi::CallbackInfo& info);

// sealFrames(buf: Uint8Array, start: number, end: number): number
// Writes the CRC of every frame of [start, end) into its bytes 36..39 and
// returns the frame count, or -1 (writing nothing) when the frame lengths do
// not tile [start, end) exactly.
Napi::Value SealFrames(const Napi::CallbackInfo& info);

}  // namespace nova
