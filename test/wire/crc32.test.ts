import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32, frameCrc32 } from "../../runtime/wire/crc32.js";
import { referenceCrc32 } from "./arbitraries.js";

describe("crc32", () => {
  it("has the CRC-32/IEEE check value", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("agrees with a bitwise reference on any range, short (JS) or long (native), and continues", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const s = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const e = s + (bytes.length - s === 0 ? 0 : b % (bytes.length - s + 1));
        expect(crc32(bytes, s, e)).toBe(referenceCrc32(bytes.subarray(s, e)));
        expect(crc32(bytes, e, bytes.length, crc32(bytes, 0, e))).toBe(referenceCrc32(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("frameCrc32 treats bytes 36..39 as zero and never writes to the buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 40, maxLength: 1200 }), fc.nat(8), (bytes, lead) => {
        const buf = new Uint8Array(lead + bytes.length);
        buf.set(bytes, lead);
        const before = Uint8Array.from(buf);
        const zeroed = Uint8Array.from(bytes);
        zeroed.fill(0, 36, 40);
        expect(frameCrc32(buf, lead, bytes.length - 40)).toBe(referenceCrc32(zeroed));
        expect(buf).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});
