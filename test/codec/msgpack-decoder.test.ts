/**
 * The strict msgpack decoder against msgpackr (the encoder, and the reference
 * for decoding), plus fuzzing: random bytes only ever give DeserializationError.
 */
import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { decodeMsgpack } from "../../runtime/codec/msgpack-decoder.js";
import { valueArb } from "../wire/arbitraries.js";
import { codeOrOk as code } from "../helpers/ipc-error.js";

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: "bigint", copyBuffers: true, moreTypes: false });

function decode(bytes: Uint8Array): unknown {
  return decodeMsgpack(bytes, 0, bytes.length);
}

describe("msgpack decoder", () => {
  it("decodes what msgpackr encodes exactly as msgpackr decodes it (value model)", () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        const bytes = Uint8Array.from(packr.pack(v));
        const ours = decode(bytes);
        expect(ours).toEqual(v);
        expect(ours).toEqual(packr.unpack(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("covers every fixed-width and length family", () => {
    const cases: [number[], unknown][] = [
      [[0xc0], null],
      [[0xc2], false],
      [[0xc3], true],
      [[0x7f], 127],
      [[0xe0], -32],
      [[0xcc, 0xff], 255],
      [[0xcd, 0x01, 0x00], 256],
      [[0xce, 0xff, 0xff, 0xff, 0xff], 0xffff_ffff],
      [[0xcf, 0, 0, 0, 0, 0, 0, 0, 5], 5n],
      [[0xd0, 0x80], -128],
      [[0xd1, 0x80, 0x00], -32768],
      [[0xd2, 0x80, 0, 0, 0], -(2 ** 31)],
      [[0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], -2n],
      [[0xca, 0x3f, 0xc0, 0, 0], 1.5],
      [[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], 1.5],
      [[0xa2, 0x68, 0x69], "hi"],
      [[0xd9, 2, 0xc3, 0xbc], "ü"],
      [[0xda, 0, 1, 0x61], "a"],
      [[0xdb, 0, 0, 0, 1, 0x61], "a"],
      [[0xc4, 2, 1, 2], Uint8Array.of(1, 2)],
      [[0xc5, 0, 1, 9], Uint8Array.of(9)],
      [[0xc6, 0, 0, 0, 1, 9], Uint8Array.of(9)],
      [[0x92, 1, 2], [1, 2]],
      [[0xdc, 0, 1, 1], [1]],
      [[0xdd, 0, 0, 0, 1, 1], [1]],
      [[0x81, 0xa1, 0x61, 1], { a: 1 }],
      [[0xde, 0, 1, 0xa1, 0x61, 1], { a: 1 }],
      [[0xdf, 0, 0, 0, 1, 0xa1, 0x61, 1], { a: 1 }],
      [[0x81, 0x07, 1], { 7: 1 }],
      [[0xd4, 0, 0], undefined],
      [[0xd6, 0xff, 0, 0, 0, 1], new Date(1000)],
    ];
    for (const [bytes, value] of cases) expect(decode(Uint8Array.from(bytes)), JSON.stringify(bytes)).toEqual(value);
  });

  it("keeps a __proto__ key as data", () => {
    const v = decode(Uint8Array.from([0x81, 0xa9, ...Buffer.from("__proto__"), 0x81, 0xa1, 0x78, 1])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__"]);
  });

  it("rejects malformed input with DeserializationError", () => {
    const bad: number[][] = [
      [],
      [0xc1],
      [0xc0, 0xc0],
      [0xa3, 0x61],
      [0xc4, 5, 1],
      [0xdd, 0xff, 0xff, 0xff, 0xff],
      [0xdf, 0xff, 0xff, 0xff, 0xff],
      [0xa2, 0xc3, 0x28],
      [0xd4, 5, 0],
      [0x81, 0xc0, 1],
      [0xcb, 0, 0],
      new Array(600).fill(0x91),
    ];
    for (const b of bad) expect(code(() => decode(Uint8Array.from(b))), JSON.stringify(b.slice(0, 8))).toBe("DeserializationError");
  });

  it("random bytes and truncations only ever produce DeserializationError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(["ok", "DeserializationError"]).toContain(code(() => decode(b)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(valueArb, fc.nat(), (v, cut) => {
        const bytes = Uint8Array.from(packr.pack(v));
        const n = cut % bytes.length;
        expect(code(() => decodeMsgpack(bytes, 0, n))).toBe("DeserializationError");
      }),
      { numRuns: 300 },
    );
  });

  it("never reads past the end of its section into the bytes that follow", () => {
    const bytes = Uint8Array.from([0xa3, 0x61, 0x62, 0x63]);
    expect(code(() => decodeMsgpack(bytes, 0, 3))).toBe("DeserializationError");
  });
});
