import { describe, expect, it } from "vitest";
import { decodeMessage, decodeMessageAsync, encodeMessage, encodeMessageAsync } from "../../runtime/wire/frame.js";
import type { Message } from "../../runtime/wire/message.js";
import { fixCrc, referenceCrc32, sampleMessages } from "./arbitraries.js";
import { thrownCode as codeOf } from "../helpers/ipc-error.js";

const [request, response, event, heartbeat] = sampleMessages();

describe("header layout", () => {
  it("writes magic, version, type, flags, ids, length and a CRC over header+payload", () => {
    const f = encodeMessage({ ...event, format: "json", compression: "lz4" });
    const dv = new DataView(f.buffer, f.byteOffset, f.length);
    expect([...f.subarray(0, 4)]).toEqual([0x4e, 0x4f, 0x56, 0x41]);
    expect([f[4], f[5]]).toEqual([1, 0]);
    expect(f[6]).toBe(3);
    expect(f[7]).toBe(0b0000_0101); // json (1) | lz4 (1 << 2)
    expect(dv.getBigUint64(8, true)).toBe(event.messageId);
    expect(dv.getBigUint64(16, true)).toBe(0n);
    expect(dv.getBigUint64(24, true)).toBe(event.timestampNs);
    expect(dv.getUint32(32, true)).toBe(f.length - 40);
    const zeroed = Uint8Array.from(f);
    zeroed.fill(0, 36, 40);
    expect(dv.getUint32(36, true)).toBe(referenceCrc32(zeroed));
  });

  it("lays out a heartbeat body as exactly 28 bytes in spec order", () => {
    const f = encodeMessage(heartbeat);
    expect(f.length).toBe(68);
    const dv = new DataView(f.buffer, f.byteOffset, f.length);
    expect(dv.getBigUint64(40, true)).toBe(4242n);
    expect(dv.getFloat32(48, true)).toBe(0.75);
    expect(dv.getBigUint64(52, true)).toBe(1n << 40n);
    expect(dv.getBigUint64(60, true)).toBe(3600n);
  });

  it("lays out request and event fixed fields before the value section", () => {
    const r = encodeMessage(request);
    const dv = new DataView(r.buffer, r.byteOffset, r.length);
    expect(dv.getUint32(40, true)).toBe(5000);
    expect(dv.getUint32(44, true)).toBe(3);
    expect(dv.getUint16(48, true)).toBe(20);
    expect(r.subarray(50, 70).toString()).toBe("org.novade.Test.ping");
    const e = encodeMessage(event);
    const ev = new DataView(e.buffer, e.byteOffset, e.length);
    expect(ev.getBigUint64(40, true)).toBe(99n);
    expect([e[48], e[49]]).toEqual([255, 0]);
    expect(ev.getUint16(50, true)).toBe(13);
    expect(e.subarray(52, 65).toString()).toBe("window.opened");
  });
});

describe("round trip", () => {
  for (const format of ["msgpack", "json"] as const) {
    for (const compression of ["none", "lz4", "zstd"] as const) {
      it(`${format}/${compression}: every type decodes to the same message (sync and async)`, async () => {
        for (const m of sampleMessages(format, compression)) {
          expect(decodeMessage(encodeMessage(m))).toEqual(m);
          expect(await decodeMessageAsync(await encodeMessageAsync(m))).toEqual(m);
          expect(decodeMessage(await encodeMessageAsync(m))).toEqual(m);
        }
      });
    }
  }

  it("options override the message's format and compression; defaults are msgpack/none", () => {
    const { format: _f, compression: _c, ...bare } = request;
    expect(decodeMessage(encodeMessage(bare as Message))).toMatchObject({ format: "msgpack", compression: "none" });
    expect(decodeMessage(encodeMessage(request, { format: "json", compression: "zstd" }))).toMatchObject({ format: "json", compression: "zstd" });
  });

  it("compresses a large compressible section", () => {
    const big: Message = { ...request, body: { ...request.body, params: ["x".repeat(100_000)] } };
    for (const compression of ["lz4", "zstd"] as const) {
      const f = encodeMessage(big, { compression });
      expect(f.length).toBeLessThan(5_000);
      expect(decodeMessage(f)).toEqual({ ...big, compression });
    }
  });
});

describe("decode errors", () => {
  const good = encodeMessage(request);

  it("bad magic is CorruptedMessage", () => {
    const f = Uint8Array.from(good);
    f[1] = 0x41;
    expect(codeOf(() => decodeMessage(f))).toBe("CorruptedMessage");
    expect(codeOf(() => decodeMessage(Uint8Array.of(0x4e, 0x58)))).toBe("CorruptedMessage");
  });

  it("a short header or body is TruncatedMessage", () => {
    expect(codeOf(() => decodeMessage(new Uint8Array(0)))).toBe("TruncatedMessage");
    expect(codeOf(() => decodeMessage(good.subarray(0, 39)))).toBe("TruncatedMessage");
    expect(codeOf(() => decodeMessage(good.subarray(0, good.length - 1)))).toBe("TruncatedMessage");
  });

  it("trailing bytes and a CRC mismatch are CorruptedMessage", () => {
    expect(codeOf(() => decodeMessage(Buffer.concat([good, Buffer.of(0)])))).toBe("CorruptedMessage");
    const f = Uint8Array.from(good);
    f[f.length - 1] ^= 1;
    expect(codeOf(() => decodeMessage(f))).toBe("CorruptedMessage");
  });

  it("another major version is UnsupportedVersion; another minor is accepted", () => {
    const major = Uint8Array.from(good);
    major[4] = 2;
    expect(codeOf(() => decodeMessage(fixCrc(major)))).toBe("UnsupportedVersion");
    const minor = Uint8Array.from(good);
    minor[5] = 7;
    expect(decodeMessage(fixCrc(minor))).toEqual(request);
  });

  it("a length above the limit is MessageTooLarge, on decode and on encode", () => {
    expect(codeOf(() => decodeMessage(good, { maxMessageSize: 10 }))).toBe("MessageTooLarge");
    expect(codeOf(() => encodeMessage(request, { maxMessageSize: 10 }))).toBe("MessageTooLarge");
    expect(codeOf(() => decodeMessage(good, { maxMessageSize: -1 }))).toBe("InvalidArgument");
  });

  it("unknown type, unknown format/compression codes and reserved or security flags are UnsupportedVersion", () => {
    for (const [offset, value] of [[6, 0], [6, 5], [7, 0x02], [7, 0x0c], [7, 0x10], [7, 0x20], [7, 0x40], [7, 0x80]]) {
      const f = Uint8Array.from(good);
      f[offset] = value;
      expect(codeOf(() => decodeMessage(fixCrc(f))), `byte ${offset} = ${value}`).toBe("UnsupportedVersion");
    }
  });

  it("malformed bodies with a valid CRC are DeserializationError", () => {
    const withBody = (type: number, body: number[]): Uint8Array => {
      const f = new Uint8Array(40 + body.length);
      f.set(good.subarray(0, 40));
      f[6] = type;
      new DataView(f.buffer).setUint32(32, body.length, true);
      f.set(body, 40);
      return fixCrc(f);
    };
    const cases: [string, Uint8Array][] = [
      ["request shorter than its fixed part", withBody(1, [1, 2, 3])],
      ["request method longer than the body", withBody(1, [0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0x61])],
      ["request method invalid UTF-8", withBody(1, [0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0xc3, 0x28, 0xc0])],
      ["request without a params section", withBody(1, [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x61])],
      ["request params with trailing bytes", withBody(1, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xc0])],
      ["response section not a pair", withBody(2, [0, 0, 0, 0, 0, 0, 0, 0, 0x91, 0xc0])],
      ["response error without a code", withBody(2, [0, 0, 0, 0, 0, 0, 0, 0, 0x92, 0xc0, 0x80])],
      ["event reserved byte set", withBody(3, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0xc0])],
      ["heartbeat of 27 bytes", withBody(4, new Array(27).fill(0))],
      ["heartbeat of 29 bytes", withBody(4, new Array(29).fill(0))],
    ];
    for (const [what, f] of cases) expect(codeOf(() => decodeMessage(f)), what).toBe("DeserializationError");
  });
});

describe("encode errors", () => {
  const bad: [string, Message][] = [
    ["messageId negative", { ...request, messageId: -1n }],
    ["correlationId above u64", { ...request, correlationId: 1n << 64n }],
    ["timestampNs a number", { ...request, timestampNs: 5 as unknown as bigint }],
    ["timeout fractional", { ...request, body: { ...request.body, timeoutMs: 1.5 } }],
    ["flags above u32", { ...request, body: { ...request.body, flags: 2 ** 32 } }],
    ["method longer than 65535 bytes", { ...request, body: { ...request.body, method: "é".repeat(40_000) } }],
    ["method with a lone surrogate", { ...request, body: { ...request.body, method: "a\ud800" } }],
    ["priority 256", { ...event, body: { ...event.body, priority: 256 } }],
    ["sourceId a number", { ...event, body: { ...event.body, sourceId: 1 as unknown as bigint } }],
    ["status negative", { ...response, body: { ...response.body, status: -1 } }],
    ["error without message", { ...response, body: { ...response.body, error: { code: "X" } as never } }],
    ["heartbeat load a string", { ...heartbeat, body: { ...heartbeat.body, loadAverage: "1" as unknown as number } }],
    ["unknown type", { ...request, type: "ping" } as unknown as Message],
    ["unknown format", { ...request, format: "xml" } as unknown as Message],
    ["unknown compression", { ...request, compression: "gzip" } as unknown as Message],
    ["bigint beyond 64 bits in msgpack", { ...request, body: { ...request.body, params: 1n << 70n } }],
    ["a function in JSON", { ...request, format: "json", body: { ...request.body, params: () => 1 } }],
  ];
  for (const [what, m] of bad) {
    it(`${what} is SerializationError`, () => expect(codeOf(() => encodeMessage(m))).toBe("SerializationError"));
  }

  it("a cyclic value is SerializationError in both formats", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const format of ["msgpack", "json"] as const) {
      expect(codeOf(() => encodeMessage({ ...request, format, body: { ...request.body, params: cyclic } }))).toBe("SerializationError");
    }
  });
});
