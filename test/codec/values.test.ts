import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJsonValue, encodeJsonValue, fromTaggedJson, toTaggedJson } from "../../runtime/codec/value-json.js";
import { decodeMsgpackValue, encodeMsgpackValue } from "../../runtime/codec/value-msgpack.js";
import { valueArb } from "../wire/arbitraries.js";
import { codeOrOk as code } from "../helpers/ipc-error.js";

const roundTrip = {
  msgpack: (v: unknown) => {
    const b = Uint8Array.from(encodeMsgpackValue(v));
    return decodeMsgpackValue(b, 0, b.length);
  },
  json: (v: unknown) => {
    const b = encodeJsonValue(v);
    return decodeJsonValue(b, 0, b.length);
  },
};

describe("value codecs", () => {
  for (const [name, rt] of Object.entries(roundTrip)) {
    it(`${name}: the value model round-trips (bigint stays bigint, number stays number, bytes stay bytes)`, () => {
      const v = { big: 2n ** 64n - 1n, neg: -(2n ** 63n), n: 2 ** 53, f: 1.5, s: "ü", b: new Uint8Array([0, 255]), a: [null, true, undefined], o: { $n: "not a tag" } };
      const out = rt(v) as typeof v;
      expect(out).toEqual(v);
      expect(typeof out.big).toBe("bigint");
      expect(typeof out.n).toBe("number");
      expect(Object.getPrototypeOf(out.b)).toBe(Uint8Array.prototype);
      expect(rt(NaN)).toBeNaN();
      expect(rt(-Infinity)).toBe(-Infinity);
    });

    it(`${name}: arbitrary values round-trip`, () => {
      fc.assert(
        fc.property(valueArb, (v) => {
          expect(rt(v)).toEqual(v);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("JSON uses the documented tags, and escapes one-key objects whose key is a tag", () => {
    expect(toTaggedJson({ a: 5n, b: new Uint8Array([1, 2, 3]), c: [undefined], d: NaN, e: undefined })).toEqual({
      a: { $n: "5" },
      b: { $b: "AQID" },
      c: [{ $u: 1 }],
      d: { $f: "NaN" },
    });
    expect(toTaggedJson({ $n: "5" })).toEqual({ $o: { $n: "5" } });
    expect(toTaggedJson({ $o: { $b: 1n } })).toEqual({ $o: { $o: { $o: { $b: { $n: "1" } } } } });
    expect(fromTaggedJson({ $o: { $o: { $o: { $b: { $n: "1" } } } } })).toEqual({ $o: { $b: 1n } });
    expect(toTaggedJson({ $n: "5", other: 1 })).toEqual({ $n: "5", other: 1 });
  });

  it("malformed tags and text are DeserializationError", () => {
    for (const bad of ['{"$n":"1.5"}', '{"$n":5}', '{"$b":"***"}', '{"$u":2}', '{"$f":"nan"}', '{"$o":[1]}', "{", '"\\ud800"x']) {
      const b = Buffer.from(bad);
      expect(code(() => decodeJsonValue(b, 0, b.length)), bad).toBe("DeserializationError");
    }
    const invalidUtf8 = Uint8Array.of(0x22, 0xc3, 0x28, 0x22);
    expect(code(() => decodeJsonValue(invalidUtf8, 0, 4))).toBe("DeserializationError");
  });

  it("a JSON key named __proto__ stays data and does not change the prototype", () => {
    const b = Buffer.from('{"__proto__":{"polluted":1},"x":1}');
    const v = decodeJsonValue(b, 0, b.length) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__", "x"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("msgpack: empty, truncated, trailing and deeply nested input is DeserializationError", () => {
    const one = Uint8Array.from(encodeMsgpackValue({ a: [1, 2] }));
    expect(code(() => decodeMsgpackValue(one, 0, 0))).toBe("DeserializationError");
    expect(code(() => decodeMsgpackValue(one, 0, one.length - 1))).toBe("DeserializationError");
    const trailing = Uint8Array.from([...one, 0xc0]);
    expect(code(() => decodeMsgpackValue(trailing, 0, trailing.length))).toBe("DeserializationError");
    const deep = new Uint8Array(200_000).fill(0x91);
    expect(code(() => decodeMsgpackValue(deep, 0, deep.length))).toBe("DeserializationError");
  });

  it("msgpack: exactly 512 nested arrays/maps decode, 513 do not (WIRE.md value model)", () => {
    const nested = (depth: number, open: number): Uint8Array => Uint8Array.from([...new Array<number>(depth - 1).fill(open), open === 0x91 ? 0x90 : 0x80]);
    // 0x91 = an array of one element, 0x90 = an empty array; 0x81 0xa1 "k" = a map of one entry.
    expect(code(() => decodeMsgpackValue(nested(512, 0x91), 0, 512))).toBe("ok");
    expect(code(() => decodeMsgpackValue(nested(513, 0x91), 0, 513))).toBe("DeserializationError");
    const maps = (depth: number): Uint8Array => {
      const out: number[] = [];
      for (let i = 0; i < depth - 1; i++) out.push(0x81, 0xa1, 0x6b);
      out.push(0x80);
      return Uint8Array.from(out);
    };
    expect(code(() => decodeMsgpackValue(maps(512), 0, maps(512).length))).toBe("ok");
    expect(code(() => decodeMsgpackValue(maps(513), 0, maps(513).length))).toBe("DeserializationError");
  });

  it("a Map (a NIDL map in generated code) arrives the same in JSON as in msgpack: text keys, integers in decimal", () => {
    const keyArb = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.oneof(fc.integer(), fc.string(), fc.constant(null)))), (entries) => {
        const map = new Map<unknown, unknown>(entries);
        expect(roundTrip.json(map)).toEqual(roundTrip.msgpack(map));
      }),
      { numRuns: 200 },
    );
    expect(toTaggedJson(new Map<unknown, unknown>([[1, "a"], [2n, 3n], ["$n", "x"]]))).toEqual({ "1": "a", "2": { $n: "3" }, $n: "x" });
    expect(toTaggedJson(new Map([["$b", 1]]))).toEqual({ $o: { $b: 1 } });
    // map<bool, V> and map<f64, V>: their keys travel as text, as WIRE.md's value model says.
    expect(roundTrip.msgpack(new Map<unknown, unknown>([[true, 1], [false, 2], [-1.5, 3], [2 ** 60, 4]]))).toEqual({ true: 1, false: 2, "-1.5": 3, "1152921504606847000": 4 });
    expect(code(() => encodeJsonValue(new Map([[NaN, 1]])))).toBe("SerializationError");
  });

  it("unencodable values are SerializationError", () => {
    expect(code(() => encodeMsgpackValue(1n << 64n))).toBe("SerializationError");
    expect(code(() => encodeJsonValue(Symbol("x")))).toBe("SerializationError");
  });
});
