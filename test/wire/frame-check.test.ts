/**
 * The whole-run frame checks: the JavaScript fallbacks (used when the addon
 * is missing or NOVA_NO_NATIVE_FRAMES=1) agree with the native functions on
 * every stream, including cut, bit-flipped and mis-tiled ones.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nativeFrames } from "../../native/index.js";
import { encodeMessage } from "../../runtime/wire/frame.js";
import { NATIVE_FRAME_CHECKS, scanGoodFramesJs, sealFramesJs } from "../../runtime/wire/frame-check.js";
import { messageArb } from "./arbitraries.js";

const native = nativeFrames();
const MAX = 16 * 1024 * 1024;

const streamArb = fc.array(messageArb, { minLength: 1, maxLength: 12 }).map((ms) => new Uint8Array(Buffer.concat(ms.map((m) => encodeMessage(m)))));

describe("frame checks", () => {
  it("uses the addon here (it is built by npm install)", () => {
    expect(native).toBeDefined();
    expect(NATIVE_FRAME_CHECKS).toBe(true);
  });

  it("scanGoodFramesJs agrees with the native scan on intact, cut and corrupted streams", () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 200 }), (stream, cutSeed, flipSeed, bit, max) => {
        expect(scanGoodFramesJs(stream, 0, stream.length, MAX)).toBe(stream.length);
        const cut = cutSeed % (stream.length + 1);
        expect(scanGoodFramesJs(stream, 0, cut, MAX)).toBe(native!.scanFrames(stream, 0, cut, MAX));
        const flipped = stream.slice();
        flipped[flipSeed % flipped.length] ^= 1 << bit;
        expect(scanGoodFramesJs(flipped, 0, flipped.length, MAX)).toBe(native!.scanFrames(flipped, 0, flipped.length, MAX));
        expect(scanGoodFramesJs(stream, 0, stream.length, max)).toBe(native!.scanFrames(stream, 0, stream.length, max));
      }),
      { numRuns: 300 },
    );
  });

  it("sealFramesJs writes the same CRCs as the native seal and refuses a stream that does not tile", () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), (stream, cutSeed) => {
        const a = stream.slice();
        const b = stream.slice();
        for (let p = 0; p < a.length; ) {
          const len = a[p + 32] | (a[p + 33] << 8) | (a[p + 34] << 16) | (a[p + 35] << 24);
          a.fill(0, p + 36, p + 40);
          b.fill(0xff, p + 36, p + 40);
          p += 40 + len;
        }
        const frames = sealFramesJs(a, 0, a.length);
        expect(frames).toBe(native!.sealFrames(b, 0, b.length));
        expect(Buffer.from(a).equals(Buffer.from(stream))).toBe(true);
        expect(Buffer.from(b).equals(Buffer.from(stream))).toBe(true);
        const cut = 1 + (cutSeed % (stream.length - 1));
        if (scanGoodFramesJs(stream, 0, cut, MAX) !== cut) {
          const before = stream.slice();
          expect(sealFramesJs(stream, 0, cut)).toBe(-1);
          expect(native!.sealFrames(stream, 0, cut)).toBe(-1);
          expect(Buffer.from(stream).equals(Buffer.from(before))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
