/**
 * The D-Bus wire codec on its own: signature rules and limits, round trips of
 * random signatures and values, stream framing in arbitrary chunks with
 * descriptors, and bad input (random bytes, truncations, bit flips, broken
 * padding) that only ever gives an IPCError.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPCError } from "../../runtime/errors.js";
import {
  MessageReader, Variant, decodeBody, decodeMessage, encodeBody, encodeMessage, formatValue, isValidSignature, parseSignature, type DbusMessage,
} from "../../runtime/dbus/wire/index.js";
import { codeOrOk, thrownCode } from "../helpers/ipc-error.js";
import { FD_COUNT, body, signatureText } from "./wire-arbitraries.js";

const FDS = Array.from({ length: FD_COUNT }, (_, i) => 100 + i);

function signal(signature: string, values: unknown[], serial = 1): DbusMessage {
  return { type: "signal", flags: 0, serial, path: "/a", interface: "org.x.Y", member: "Z", signature, body: values, fds: [] };
}

describe("signatures", () => {
  it("accepts valid signatures and rejects invalid ones with InvalidArgument", () => {
    for (const ok of ["", "i", "a{sv}", "(ia{s(vo)})ay", "aa{ya{ba(h)}}", `${"a".repeat(32)}y`, `${"(".repeat(32)}y${")".repeat(32)}`]) {
      expect(isValidSignature(ok), ok).toBe(true);
    }
    for (const bad of ["a", "()", "(i", "i)", "{sv}", "a{vs}", "a{s}", "a{sii}", "Q", "z", `${"a".repeat(33)}y`, `${"(".repeat(33)}y${")".repeat(33)}`, "y".repeat(256), "a{(i)s}"]) {
      expect(thrownCode(() => parseSignature(bad)), bad).toBe("InvalidArgument");
    }
  });

  it("caches parsed signatures", () => {
    expect(parseSignature("a{sv}")).toBe(parseSignature("a{sv}"));
  });

  it("random signatures parse and keep their text", () => {
    fc.assert(
      fc.property(signatureText(4), (sig) => {
        expect(parseSignature(sig).types.map((t) => t.text).join("")).toBe(sig);
      }),
    );
  });
});

describe("values round-trip", () => {
  it("encodeMessage → decodeMessage gives the same body (random signatures and values)", () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 1, max: 0xffff_ffff }), ({ signature, values }, serial) => {
        const msg = signal(signature, values, serial);
        const { bytes, fds } = encodeMessage(msg);
        const back = decodeMessage(bytes, fds);
        expect(back.body).toEqual(values);
        expect(back).toMatchObject({ type: "signal", serial, path: "/a", interface: "org.x.Y", member: "Z", signature });
      }),
      { numRuns: 1000 },
    );
  });

  it("encodeBody → decodeBody, descriptors mapped through the message's list", () => {
    const { bytes, fds } = encodeBody("hah(vh)", [7, [9, 7], [new Variant("h", 11), 9]]);
    expect(fds).toEqual([7, 9, 11]);
    expect(decodeBody("hah(vh)", bytes, true, [70, 90, 110])).toEqual([70, [90, 70], [new Variant("h", 110), 90]]);
    expect(thrownCode(() => decodeBody("h", bytes.subarray(0, 4), true, []))).toBe("DeserializationError");
  });

  it("accepts number[] for ay and safe integers for x/t, and decodes them as Uint8Array and bigint", () => {
    const { bytes } = encodeBody("ayxt", [[1, 2, 255], -5, 2 ** 53 - 1]);
    expect(decodeBody("ayxt", bytes)).toEqual([new Uint8Array([1, 2, 255]), -5n, 2n ** 53n - 1n]);
  });

  it("rejects values that do not fit their type with SerializationError", () => {
    const cases: [string, unknown][] = [
      ["y", 256], ["y", -1], ["y", 1.5], ["n", 40000], ["q", -1], ["i", 2 ** 31], ["u", -1], ["u", "1"], ["x", 2n ** 63n], ["t", -1n], ["x", 2 ** 53],
      ["b", 1], ["d", "1"], ["s", "a\0b"], ["s", 5], ["o", "a/b"], ["o", "/a/"], ["g", "a{"], ["v", 5], ["v", new Variant("ii", [1, 2])],
      ["ai", [1, "x"]], ["a{si}", { a: 1 }], ["(is)", [1]], ["h", -1], ["ay", "x"],
    ];
    for (const [sig, value] of cases) expect(thrownCode(() => encodeBody(sig, [value])), `${sig} ${String(value)}`).toBe("SerializationError");
    expect(thrownCode(() => encodeBody("ii", [1]))).toBe("SerializationError");
  });

  it("any JS value against any signature encodes or throws SerializationError, nothing else", () => {
    fc.assert(
      fc.property(signatureText(3), fc.array(fc.anything({ withBigInt: true, withMap: true, withTypedArray: true }), { maxLength: 4 }), (sig, values) => {
        const code = codeOrOk(() => encodeBody(sig, values));
        expect(["ok", "SerializationError"]).toContain(code);
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects too deep values: 64 nested variants are fine, 65 too many", () => {
    let v: unknown = 1;
    for (let i = 0; i < 65; i++) v = new Variant(i === 0 ? "i" : "v", v);
    expect(thrownCode(() => encodeBody("v", [v]))).toBe("SerializationError");
    let ok: unknown = 1;
    for (let i = 0; i < 64; i++) ok = new Variant(i === 0 ? "i" : "v", ok);
    const { bytes } = encodeBody("v", [ok]);
    expect(decodeBody("v", bytes)).toEqual([ok]);
  });

  it("decodes both byte orders: a hand-written big-endian message", () => {
    // 'B', method_return, flags 0, v1, body 8, serial 3; fields (15 bytes): REPLY_SERIAL u 2, SIGNATURE g "i"; one padding byte; body int32 -2.
    const hex = "42020001 00000004 00000003 0000000f 05017500 00000002 08016700 01690000 fffffffe";
    const bytes = Uint8Array.from(Buffer.from(hex.replace(/ /g, ""), "hex"));
    expect(decodeMessage(bytes)).toMatchObject({ type: "method_return", serial: 3, replySerial: 2, signature: "i", body: [-2] });
  });
});

describe("MessageReader", () => {
  it("frames messages split at arbitrary points and matches descriptors by UNIX_FDS", () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (bodies, cuts) => {
        const encoded = bodies.map(({ signature, values }, i) => encodeMessage(signal(signature, values, i + 1)));
        const stream = Buffer.concat(encoded.map((e) => e.bytes));
        // Each message's descriptors ride with its first byte, as the kernel delivers them.
        const fdAt = new Map<number, number[]>();
        let offset = 0;
        for (const e of encoded) {
          if (e.fds.length > 0) fdAt.set(offset, e.fds);
          offset += e.bytes.length;
        }
        const reader = new MessageReader(16);
        const got: DbusMessage[] = [];
        let pos = 0;
        for (let i = 0; pos < stream.length; i++) {
          const next = Math.min(stream.length, pos + cuts[i % cuts.length]!);
          const fds = [...fdAt.entries()].filter(([at]) => at >= pos && at < next).flatMap(([, f]) => f);
          got.push(...reader.push(stream.subarray(pos, next), fds));
          pos = next;
        }
        expect(got.map((m) => m.body)).toEqual(bodies.map((b) => b.values));
        expect(got.map((m) => m.fds)).toEqual(encoded.map((e) => e.fds));
        expect(reader.buffered).toBe(0);
        expect(reader.pendingFds).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a stream that cannot be framed: bad byte order, bad version, over 128 MiB", () => {
    const { bytes } = encodeMessage(signal("s", ["x"]));
    const bad = (patch: (b: Uint8Array) => void): string => {
      const copy = Uint8Array.from(bytes);
      patch(copy);
      return codeOrOk(() => new MessageReader().push(copy));
    };
    expect(bad((b) => (b[0] = 0x58))).toBe("MessageCorrupted");
    expect(bad((b) => (b[3] = 2))).toBe("MessageCorrupted");
    expect(bad((b) => new DataView(b.buffer).setUint32(4, 0x0800_0000, true))).toBe("MessageTooLarge");
  });
});

describe("bad input is an IPCError, never a crash", () => {
  const valid = fc.tuple(body, fc.integer({ min: 1, max: 1000 })).map(([b, serial]) => encodeMessage(signal(b.signature, b.values, serial)));

  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, le) => {
        const b = Uint8Array.from(bytes);
        if (b.length > 3) {
          b[0] = le ? 108 : 66;
          b[3] = 1;
        }
        const code = codeOrOk(() => decodeMessage(b, FDS));
        expect(code === "ok" || ["DeserializationError", "TruncatedMessage", "MessageCorrupted", "MessageTooLarge"].includes(code)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("every truncation of a valid message is TruncatedMessage", () => {
    fc.assert(
      fc.property(valid, fc.nat(), ({ bytes, fds }, cut) => {
        expect(codeOrOk(() => decodeMessage(bytes.subarray(0, cut % bytes.length), fds))).toBe("TruncatedMessage");
        expect(new MessageReader().push(bytes.subarray(0, cut % bytes.length), fds)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it("bit flips in a valid message give a message or an IPCError", () => {
    fc.assert(
      fc.property(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }), ({ bytes, fds }, flips) => {
        const b = Uint8Array.from(bytes);
        for (const [at, bit] of flips) b[at % b.length]! ^= 1 << bit;
        try {
          decodeMessage(b, fds);
        } catch (e) {
          expect(e).toBeInstanceOf(IPCError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("is strict like GLib: non-zero padding, a boolean of 2, a string without NUL, invalid UTF-8, trailing bytes", () => {
    const patched = (sig: string, values: unknown[], patch: (b: Uint8Array, bodyAt: number) => void): string => {
      const { bytes } = encodeMessage(signal(sig, values));
      const b = Uint8Array.from(bytes);
      patch(b, b.length - encodeBody(sig, values).bytes.length);
      return codeOrOk(() => decodeMessage(b));
    };
    expect(patched("yt", [1, 2n], (b, at) => (b[at + 3] = 1))).toBe("DeserializationError");
    expect(patched("b", [true], (b, at) => (b[at] = 2))).toBe("DeserializationError");
    expect(patched("s", ["ab"], (b, at) => (b[at + 6] = 0x41))).toBe("DeserializationError");
    expect(patched("s", ["ab"], (b, at) => (b[at + 4] = 0xff))).toBe("DeserializationError");
    expect(patched("s", ["ab"], (b, at) => (b[at + 4] = 0))).toBe("DeserializationError");
    expect(patched("ai", [[1]], (b, at) => (b[at] = 3))).toBe("DeserializationError");
    expect(patched("o", ["/a"], (b, at) => (b[at + 5] = 0x2f))).toBe("DeserializationError");
    const { bytes } = encodeMessage(signal("i", [1]));
    const longer = Buffer.concat([bytes, Buffer.alloc(4)]);
    new DataView(longer.buffer, longer.byteOffset).setUint32(4, 8, true);
    expect(codeOrOk(() => decodeMessage(longer))).toBe("DeserializationError");
  });

  it("checks required header fields and descriptor counts", () => {
    const { bytes } = encodeMessage({ ...signal("h", [5]), fds: [] });
    expect(codeOrOk(() => decodeMessage(bytes, []))).toBe("MessageCorrupted");
    expect(thrownCode(() => encodeMessage({ ...signal("", []), interface: undefined }))).toBe("SerializationError");
    expect(thrownCode(() => encodeMessage({ ...signal("", []), serial: 0 }))).toBe("SerializationError");
    expect(thrownCode(() => encodeMessage({ ...signal("", []), member: "a-b" }))).toBe("SerializationError");
    expect(thrownCode(() => encodeMessage({ type: "error", flags: 0, serial: 2, replySerial: 1, signature: "", body: [], fds: [] }))).toBe("SerializationError");
  });
});

describe("formatValue", () => {
  it("prints like g_variant_print with annotations", () => {
    expect(formatValue("a{sv}", new Map([["a", new Variant("u", 7)], ["b", new Variant("ay", new Uint8Array([104, 0]))]]))).toBe("{'a': <uint32 7>, 'b': <b'h'>}");
    expect(formatValue("as", [])).toBe("@as []");
    expect(formatValue("ax", [1n, 2n])).toBe("[int64 1, 2]");
    expect(formatValue("(d)", [2])).toBe("(2.0,)");
    expect(formatValue("s", "it's")).toBe(`"it's"`);
  });
});
