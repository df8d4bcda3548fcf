import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compressSection, compressSectionAsync, decompressSection, decompressSectionAsync } from "../../runtime/codec/compression.js";
import { zstdDecompressedBound } from "../../runtime/codec/zstd-frame.js";
import { codeOrOk as code } from "../helpers/ipc-error.js";

const plain = Buffer.from("NovaDE ".repeat(5000));
const MAX = 16 * 1024 * 1024;

describe("section compression", () => {
  for (const c of ["lz4", "zstd"] as const) {
    it(`${c}: u32 length prefix, then data; sync and async agree`, async () => {
      const s = compressSection(plain, c);
      expect(Buffer.from(s).readUInt32LE(0)).toBe(plain.length);
      expect(s.length).toBeLessThan(plain.length / 10);
      expect(Buffer.from(decompressSection(s, 0, s.length, c, MAX))).toEqual(plain);
      const a = await compressSectionAsync(plain, c);
      expect(Buffer.from(await decompressSectionAsync(a, 0, a.length, c, MAX))).toEqual(plain);
      expect(Buffer.from(decompressSection(a, 0, a.length, c, MAX))).toEqual(plain);
    });

    it(`${c}: a declared size above the limit is MessageTooLarge before anything is decompressed`, () => {
      const s = compressSection(plain, c);
      expect(code(() => decompressSection(s, 0, s.length, c, plain.length - 1))).toBe("MessageTooLarge");
      const lie = Buffer.from(s);
      lie.writeUInt32LE(0xffff_ffff, 0);
      expect(code(() => decompressSection(lie, 0, lie.length, c, MAX))).toBe("MessageTooLarge");
    });

    it(`${c}: a wrong declared size, a short prefix and garbage are DeserializationError`, () => {
      const s = Buffer.from(compressSection(plain, c));
      s.writeUInt32LE(plain.length - 1, 0);
      expect(code(() => decompressSection(s, 0, s.length, c, MAX))).toBe("DeserializationError");
      expect(code(() => decompressSection(Uint8Array.of(1, 2), 0, 2, c, MAX))).toBe("DeserializationError");
      const garbage = Uint8Array.from([16, 0, 0, 0, 0xff, 0xee, 0xdd, 0xcc, 0x01]);
      expect(code(() => decompressSection(garbage, 0, garbage.length, c, MAX))).toBe("DeserializationError");
      const truncated = compressSection(plain, c);
      expect(code(() => decompressSection(truncated, 0, truncated.length - 3, c, MAX))).toBe("DeserializationError");
    });
  }

  it("zstd: a bomb of RLE blocks is refused from its block headers (MessageTooLarge)", () => {
    // One zstd frame: magic, descriptor (no checksum, no FCS, window byte), then
    // 2,000 RLE blocks of 128 KiB each: 8 KB that would expand to 250 MiB.
    const blocks: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const last = i === 1999 ? 1 : 0;
      const h = last | (1 << 1) | ((128 * 1024) << 3);
      blocks.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0x41);
    }
    const frame = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, ...blocks]);
    expect(zstdDecompressedBound(frame, 0, frame.length)).toBe(2000 * 128 * 1024);
    const section = Uint8Array.from([0, 0, 1, 0, ...frame]); // declares a harmless 64 KiB
    expect(code(() => decompressSection(section, 0, section.length, "zstd", MAX))).toBe("MessageTooLarge");
  });

  it("zstd: a frame of many tiny blocks is refused after a bounded walk (DeserializationError), not walked on the event loop", () => {
    // 100,000 raw blocks of one byte each: valid zstd, 100,000 bytes of content, 400 KB of block headers.
    const n = 100_000;
    const frame = new Uint8Array(6 + n * 4);
    frame.set([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]);
    for (let i = 0; i < n; i++) {
      const h = (i === n - 1 ? 1 : 0) | (1 << 3);
      frame.set([h & 0xff, (h >> 8) & 0xff, h >> 16, 0x41], 6 + i * 4);
    }
    expect(zstdDecompressedBound(frame, 0, frame.length)).toBe(n);
    const section = new Uint8Array(4 + frame.length);
    new DataView(section.buffer).setUint32(0, n, true);
    section.set(frame, 4);
    expect(code(() => decompressSection(section, 0, section.length, "zstd", MAX))).toBe("DeserializationError");
    expect(() => decompressSection(section, 0, section.length, "zstd", MAX)).toThrow(/more than 455 blocks/);
  });

  it("zstd: structural errors are DeserializationError", () => {
    const ok = compressSection(plain, "zstd");
    const frame = ok.subarray(4);
    expect(zstdDecompressedBound(frame, 0, frame.length)).toBeGreaterThanOrEqual(plain.length);
    const withDict = Uint8Array.from(frame);
    withDict[4] |= 1;
    const trailing = Uint8Array.from([...frame, 0]);
    const badMagic = Uint8Array.from(frame);
    badMagic[0] = 0;
    for (const bad of [withDict, trailing, badMagic, frame.subarray(0, 7)]) {
      expect(code(() => zstdDecompressedBound(bad, 0, bad.length))).toBe("DeserializationError");
    }
  });
});

describe("section decompression fuzzing", () => {
  it("random data behind a plausible prefix only ever yields IPCErrors (lz4 and zstd)", () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (declared, data, zstdMagic) => {
        for (const c of ["lz4", "zstd"] as const) {
          const body = c === "zstd" && zstdMagic ? [0x28, 0xb5, 0x2f, 0xfd, ...data] : [...data];
          const section = Uint8Array.from([declared & 0xff, (declared >> 8) & 0xff, (declared >> 16) & 0xff, 0, ...body]);
          const result = code(() => decompressSection(section, 0, section.length, c, 65_536));
          expect(["ok", "DeserializationError", "MessageTooLarge"]).toContain(result);
          outcomes.add(`${c}:${result}`);
        }
      }),
      { numRuns: 150 },
    );
    expect(outcomes.has("lz4:DeserializationError")).toBe(true);
  });

  it("bit flips in valid compressed sections only ever yield IPCErrors or the right length", () => {
    for (const c of ["lz4", "zstd"] as const) {
      const s = compressSection(Buffer.from("flip me ".repeat(200)), c);
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (at, bit) => {
          const f = Uint8Array.from(s);
          f[at % f.length] ^= 1 << bit;
          let out: Uint8Array | undefined;
          const result = code(() => {
            out = decompressSection(f, 0, f.length, c, 65_536);
          });
          expect(["ok", "DeserializationError", "MessageTooLarge"]).toContain(result);
          if (out !== undefined) expect(out.length).toBe(Buffer.from(f).readUInt32LE(0));
        }),
        { numRuns: 150 },
      );
    }
  });
});
