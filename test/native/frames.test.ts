/**
 * The addon's batched frame checks (native/src/frames.cc) against the JS
 * wire code: frames come from encodeMessage, CRCs are compared with
 * frameCrc32 and with a bitwise reference CRC.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nativeFrames, type NativeFrames } from "../../native/index.js";
import { frameCrc32 } from "../../runtime/wire/crc32.js";
import { encodeMessage } from "../../runtime/wire/frame.js";
import type { Message } from "../../runtime/wire/message.js";
import { messageArb, referenceCrc32 } from "../wire/arbitraries.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const MAX = 16 * 1024 * 1024;
const frames = nativeFrames() as NativeFrames;

/** A stream of encoded frames and the offset where each frame starts (plus the end). */
interface Stream {
  bytes: Uint8Array;
  starts: number[];
}

function concat(parts: Uint8Array[]): Stream {
  const starts = [0];
  for (const p of parts) starts.push(starts[starts.length - 1] + p.length);
  const bytes = new Uint8Array(starts[starts.length - 1]);
  parts.forEach((p, i) => bytes.set(p, starts[i]));
  return { bytes, starts };
}

/** Compression stays off: it changes only the payload bytes, and zstd would slow the properties down. */
const streamArb = fc
  .array(messageArb, { minLength: 1, maxLength: 6 })
  .map((ms) => concat(ms.map((m: Message) => encodeMessage({ ...m, compression: "none" }))));

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const payloadLength = (b: Uint8Array, frame: number) => dv(b).getUint32(frame + 32, true);
const storedCrc = (b: Uint8Array, frame: number) => dv(b).getUint32(frame + 36, true);

/** A frame of random bytes with magic, major 1 and the length set, CRC field left random. */
function rawFrame(body: Uint8Array, header: Uint8Array): Uint8Array {
  const f = new Uint8Array(40 + body.length);
  f.set(header.subarray(0, 40));
  f.set([0x4e, 0x4f, 0x56, 0x41, 1]);
  dv(f).setUint32(32, body.length, true);
  f.set(body, 40);
  return f;
}

/** Sets a frame's CRC with the JS code (for frames the native scanner must judge on other grounds). */
function jsSeal(b: Uint8Array, frame: number): void {
  dv(b).setUint32(frame + 36, frameCrc32(b, frame, payloadLength(b, frame)), true);
}

describe("nativeFrames", () => {
  it("is available from the built addon", () => {
    expect(frames).toBeDefined();
    expect(typeof frames.scanFrames).toBe("function");
    expect(typeof frames.sealFrames).toBe("function");
    expect(nativeFrames()).toBe(frames);
  });

  it("is undefined under NOVA_NO_NATIVE_FRAMES=1, without throwing or logging", () => {
    const entry = join(ROOT, "dist", "native", "index.js");
    expect(existsSync(entry), "dist/ is built by `npm run build` (the test script's pretest)").toBe(true);
    const code = `import(${JSON.stringify(entry)}).then((m) => { const a = m.nativeFrames(); const b = m.nativeFrames(); process.stdout.write(String(a === undefined && b === undefined)); });`;
    const run = (env: Record<string, string>) => {
      const out = execFileSync(process.execPath, ["-e", code], { env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      return out;
    };
    expect(run({ NOVA_NO_NATIVE_FRAMES: "1" })).toBe("true");
    expect(run({ NOVA_NO_NATIVE_FRAMES: "0" })).toBe("false");
  });
});

describe("scanFrames", () => {
  it("accepts a stream of encoded messages whole, and each stored CRC is the JS frameCrc32", () => {
    fc.assert(
      fc.property(streamArb, ({ bytes, starts }) => {
        expect(frames.scanFrames(bytes, 0, bytes.length, MAX)).toBe(bytes.length);
        for (let k = 0; k + 1 < starts.length; k++) {
          const s = starts[k];
          expect(storedCrc(bytes, s)).toBe(frameCrc32(bytes, s, payloadLength(bytes, s)));
          // from any frame boundary to any later one
          expect(frames.scanFrames(bytes, s, starts[starts.length - 1], MAX)).toBe(bytes.length);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("stops at the start of the first incomplete frame of a cut stream", () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), ({ bytes, starts }, r) => {
        const cut = r % (bytes.length + 1);
        const expected = starts.filter((s) => s <= cut).pop() as number;
        expect(frames.scanFrames(bytes, 0, cut, MAX)).toBe(expected);
        // a Buffer view of exactly the cut part behaves the same
        const view = Buffer.from(bytes.buffer, bytes.byteOffset, cut);
        expect(frames.scanFrames(view, 0, cut, MAX)).toBe(expected);
      }),
      { numRuns: 80 },
    );
  });

  it("stops exactly at frame k when one bit of frame k is flipped", () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), fc.nat(), ({ bytes, starts }, rk, rbit) => {
        const k = rk % (starts.length - 1);
        const size = starts[k + 1] - starts[k];
        const bit = rbit % (size * 8);
        const copy = Uint8Array.from(bytes);
        copy[starts[k] + (bit >> 3)] ^= 1 << (bit & 7);
        expect(frames.scanFrames(copy, 0, copy.length, MAX)).toBe(starts[k]);
      }),
      { numRuns: 150 },
    );
  });

  it("stops at the first frame longer than maxPayload", () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), ({ bytes, starts }, rk) => {
        const lens = starts.slice(0, -1).map((s) => payloadLength(bytes, s));
        const limit = lens[rk % lens.length] - 1;
        fc.pre(limit >= 0);
        const j = lens.findIndex((l) => l > limit);
        expect(frames.scanFrames(bytes, 0, bytes.length, limit)).toBe(starts[j]);
        expect(frames.scanFrames(bytes, 0, bytes.length, limit + 1)).toBe(starts[lens.findIndex((l) => l > limit + 1)] ?? bytes.length);
      }),
      { numRuns: 60 },
    );
  });

  it("stops at a wrong magic or major version even when the CRC is valid, but ignores type, flags and minor", () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 255 }), ({ bytes, starts }, rk, where, delta) => {
        const k = rk % (starts.length - 1);
        const s = starts[k];
        const bad = Uint8Array.from(bytes);
        bad[s + where] = (bad[s + where] + delta) & 0xff; // magic byte 0..3 or the major version
        jsSeal(bad, s);
        expect(frames.scanFrames(bad, 0, bad.length, MAX)).toBe(s);

        const odd = Uint8Array.from(bytes);
        odd[s + 5] = (odd[s + 5] + delta) & 0xff; // minor
        odd[s + 6] = (odd[s + 6] + delta) & 0xff; // message type
        odd[s + 7] = (odd[s + 7] + delta) & 0xff; // flags
        jsSeal(odd, s);
        expect(frames.scanFrames(odd, 0, odd.length, MAX)).toBe(odd.length);
      }),
      { numRuns: 60 },
    );
  });

  it("agrees with the JS and a bitwise CRC on random frames of every small length, 0-length and 1 MiB payloads", () => {
    const header = new Uint8Array(40).map((_, i) => (i * 89 + 3) & 0xff);
    const lengths = [...Array.from({ length: 300 }, (_, i) => i), 1 << 20, (1 << 20) + 7];
    for (const len of lengths) {
      const body = new Uint8Array(len).map((_, i) => (i * 2654435761) >>> 24);
      const f = rawFrame(body, header);
      const zeroed = Uint8Array.from(f);
      zeroed.fill(0, 36, 40);
      const want = referenceCrc32(zeroed);
      expect(frameCrc32(f, 0, len)).toBe(want);
      expect(frames.sealFrames(f, 0, f.length)).toBe(1);
      expect(storedCrc(f, 0)).toBe(want);
      expect(frames.scanFrames(f, 0, f.length, len)).toBe(f.length);
      expect(frames.scanFrames(f, 0, f.length - 1, MAX)).toBe(0);
    }
  });

  it("reads any alignment and never past end, at a non-zero byteOffset", () => {
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 15 }), fc.integer({ min: 0, max: 9 }), ({ bytes }, lead, tail) => {
        const backing = new Uint8Array(lead + bytes.length + tail + 1).fill(0xee);
        backing.set(bytes, lead);
        const view = Buffer.from(backing.buffer, 1, backing.length - 1); // byteOffset 1
        const start = lead - 1;
        expect(frames.scanFrames(view, start, start + bytes.length, MAX)).toBe(start + bytes.length);
        expect(frames.scanFrames(view, start, view.length, MAX)).toBe(start + bytes.length);
      }),
      { numRuns: 40 },
    );
  });
});

describe("sealFrames", () => {
  it("restores garbled CRC fields byte for byte and returns the frame count", () => {
    fc.assert(
      fc.property(streamArb, fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.boolean(), ({ bytes, starts }, junk, zero) => {
        const copy = Uint8Array.from(bytes);
        for (const s of starts.slice(0, -1)) copy.set(zero ? [0, 0, 0, 0] : junk, s + 36);
        expect(frames.sealFrames(copy, 0, copy.length)).toBe(starts.length - 1);
        expect(Buffer.from(copy).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("returns -1 and writes nothing when the lengths do not tile the range", () => {
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 1000 }), fc.boolean(), ({ bytes, starts }, r, grow) => {
        const garbled = Uint8Array.from(bytes);
        for (const s of starts.slice(0, -1)) garbled.fill(0x5a, s + 36, s + 40);
        // the last frame truncated, or followed by fewer than 40 stray bytes
        const end = garbled.length - 1 - (r % (garbled.length - starts[starts.length - 2] - 1));
        const buf = grow ? Uint8Array.from([...garbled, ...new Uint8Array(1 + (r % 39))]) : garbled;
        const before = Uint8Array.from(buf);
        expect(frames.sealFrames(buf, 0, grow ? buf.length : end)).toBe(-1);
        expect(Buffer.from(buf).equals(Buffer.from(before))).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it("touches only [start, end) of a bigger buffer, through a Buffer view at a non-zero byteOffset", () => {
    fc.assert(
      fc.property(streamArb, fc.uint8Array({ minLength: 1, maxLength: 50 }), fc.uint8Array({ maxLength: 50 }), ({ bytes, starts }, pre, post) => {
        const backing = new Uint8Array(pre.length + bytes.length + post.length);
        backing.set(pre);
        backing.set(bytes, pre.length);
        backing.set(post, pre.length + bytes.length);
        for (const s of starts.slice(0, -1)) backing.fill(0, pre.length + s + 36, pre.length + s + 40);
        const view = Buffer.from(backing.buffer, 1, backing.length - 1);
        const start = pre.length - 1;
        expect(frames.sealFrames(view, start, start + bytes.length)).toBe(starts.length - 1);
        expect(Buffer.from(backing.subarray(0, pre.length)).equals(Buffer.from(pre))).toBe(true);
        expect(Buffer.from(backing.subarray(pre.length, pre.length + bytes.length)).equals(Buffer.from(bytes))).toBe(true);
        expect(Buffer.from(backing.subarray(pre.length + bytes.length)).equals(Buffer.from(post))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("seals nothing in an empty range and returns 0", () => {
    const b = new Uint8Array(10);
    expect(frames.sealFrames(b, 4, 4)).toBe(0);
    expect(frames.scanFrames(b, 4, 4, 0)).toBe(4);
    expect(frames.sealFrames(new Uint8Array(0), 0, 0)).toBe(0);
  });

  it("treats a length of 2^32-1 as incomplete rather than wrapping around", () => {
    const f = rawFrame(new Uint8Array(100), new Uint8Array(40));
    dv(f).setUint32(32, 0xffff_ffff, true);
    const before = Uint8Array.from(f);
    expect(frames.scanFrames(f, 0, f.length, 0xffff_ffff)).toBe(0);
    expect(frames.sealFrames(f, 0, f.length)).toBe(-1);
    expect(Buffer.from(f).equals(Buffer.from(before))).toBe(true);
  });
});

describe("argument checks", () => {
  const b = new Uint8Array(64);
  const call = (fn: "scanFrames" | "sealFrames", ...args: unknown[]) => () =>
    (frames[fn] as unknown as (...a: unknown[]) => number)(...args);

  it.each(["scanFrames", "sealFrames"] as const)("%s throws TypeError for a buffer that is not a Uint8Array", (fn) => {
    for (const bad of [undefined, null, 42, "NOVA", [1, 2, 3], new ArrayBuffer(64), new DataView(new ArrayBuffer(64)), new Uint16Array(32), new Float64Array(8)]) {
      expect(call(fn, bad, 0, 0, 0)).toThrow(TypeError);
    }
    expect(call(fn)).toThrow(TypeError);
    expect(call(fn, b, "0", 1, 1)).toThrow(TypeError);
    expect(call(fn, b, 0, undefined, 1)).toThrow(TypeError);
  });

  it.each(["scanFrames", "sealFrames"] as const)("%s throws RangeError for indices outside 0 <= start <= end <= length", (fn) => {
    for (const [s, e] of [[2, 1], [0, 65], [-1, 10], [0, -1], [0.5, 10], [0, NaN], [Infinity, Infinity], [65, 65], [0, 2 ** 53]]) {
      expect(call(fn, b, s, e, 0)).toThrow(RangeError);
    }
  });

  it("scanFrames checks maxPayload is an integer in 0..2^32-1", () => {
    expect(call("scanFrames", b, 0, 64)).toThrow(TypeError);
    for (const m of [-1, 2 ** 32, 1.5, NaN]) expect(call("scanFrames", b, 0, 64, m)).toThrow(RangeError);
    expect(frames.scanFrames(b, 0, 64, 2 ** 32 - 1)).toBe(0);
  });
});

describe("portable CRC path", () => {
  it("gives the same seals with NOVA_NATIVE_CRC_PORTABLE=1 (no PCLMULQDQ) as the JS code", () => {
    const addon = join(ROOT, "native", "build", "Release", "nova_native.node");
    const header = new Uint8Array(40).map((_, i) => (i * 37 + 11) & 0xff);
    const parts = [0, 1, 15, 16, 23, 24, 25, 63, 64, 65, 88, 89, 200, 4099].map((len) =>
      rawFrame(new Uint8Array(len).map((_, i) => (i * 7 + len) & 0xff), header),
    );
    const { bytes, starts } = concat(parts);
    const code = `const b = require(${JSON.stringify(addon)}); const d = require("fs").readFileSync(0); const n = b.sealFrames(d, 0, d.length); process.stdout.write(JSON.stringify({ n, hex: d.toString("hex"), scan: b.scanFrames(d, 0, d.length, 65536) }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ["-e", code], { input: bytes, env: { ...process.env, NOVA_NATIVE_CRC_PORTABLE: "1" }, encoding: "utf8" }),
    ) as { n: number; hex: string; scan: number };
    expect(out.n).toBe(parts.length);
    expect(out.scan).toBe(bytes.length);
    const sealed = Buffer.from(out.hex, "hex");
    for (const s of starts.slice(0, -1)) expect(storedCrc(sealed, s)).toBe(frameCrc32(sealed, s, payloadLength(sealed, s)));
    // and the same bytes as the default (possibly PCLMULQDQ) path in this process
    expect(frames.sealFrames(bytes, 0, bytes.length)).toBe(parts.length);
    expect(sealed.equals(Buffer.from(bytes))).toBe(true);
  });
});
