/**
 * The Wayland wire codec (runtime/wayland/wire.ts): every argument type
 * round-trips through random message signatures; random bytes, truncations
 * and bad sizes only ever give ProtocolError; values the wire cannot carry
 * are InvalidArgument / MessageTooLarge before anything is written.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPCError } from "../../runtime/errors.js";
import type { WlArg, WlArgType, WlMessage } from "../../runtime/wayland/descriptor.js";
import { decodeMessage, encodeMessage, FdQueue, messageSize, WireWriter, WL_DEFAULT_MAX_MESSAGE_SIZE } from "../../runtime/wayland/wire.js";
import { thrownCode } from "../helpers/ipc-error.js";

const TYPES: WlArgType[] = ["int", "uint", "fixed", "string", "object", "new_id", "array", "fd"];

const argArb: fc.Arbitrary<WlArg> = fc
  .record({ type: fc.constantFrom(...TYPES), nullable: fc.boolean(), typed: fc.boolean() })
  .map(({ type, nullable, typed }) => ({
    name: type,
    type,
    ...(type === "object" || type === "new_id" ? (typed ? { interface: "x_thing" } : {}) : {}),
    ...(type === "string" || type === "object" ? { nullable } : {}),
  }));

const messageArb: fc.Arbitrary<WlMessage> = fc.array(argArb, { maxLength: 8 }).map((args) => ({ name: "m", since: 1, args }));

const text = fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !s.includes("\0"));

/** A value for `arg`, and what decoding gives back for it. */
function valueArb(arg: WlArg): fc.Arbitrary<{ value: unknown; decoded: unknown }> {
  const same = (a: fc.Arbitrary<unknown>) => a.map((v) => ({ value: v, decoded: v }));
  switch (arg.type) {
    case "int":
      return same(fc.integer({ min: -0x80000000, max: 0x7fffffff }));
    case "uint":
      return same(fc.nat({ max: 0xffffffff }));
    case "fixed":
      return same(fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((n) => n / 256));
    case "string":
      return arg.nullable ? same(fc.option(text, { nil: null })) : same(text);
    case "object": {
      const id = fc.integer({ min: 1, max: 0xffffffff });
      if (!arg.nullable) return same(id);
      return fc.oneof(same(id), fc.constant({ value: null, decoded: 0 }), id.map((n) => ({ value: { id: n }, decoded: n })));
    }
    case "new_id": {
      const id = fc.integer({ min: 1, max: 0xffffffff });
      if (arg.interface !== undefined) return same(id);
      return same(fc.record({ interface: text, version: fc.nat({ max: 0xffffffff }), id }));
    }
    case "array":
      return same(fc.uint8Array({ maxLength: 64 }));
    case "fd":
      return same(fc.integer({ min: 100, max: 0x7fffffff }));
  }
}

const caseArb = messageArb.chain((msg) =>
  fc.record({
    msg: fc.constant(msg),
    values: fc.tuple(...msg.args.map(valueArb)),
    objectId: fc.integer({ min: 1, max: 0xffffffff }),
    opcode: fc.nat({ max: 0xffff }),
  }),
);

/** Decodes one complete message from `bytes` (size checks included), like the connection. */
function decodeOne(bytes: Buffer, msg: WlMessage, fds: FdQueue, maxSize = WL_DEFAULT_MAX_MESSAGE_SIZE): unknown[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new Error("short");
  const size = messageSize(view, 0, maxSize);
  if (size > bytes.length) throw new Error("incomplete");
  const site = { objectId: view.getUint32(0, true), opcode: view.getUint16(4, true), interface: "x_thing" };
  return decodeMessage(bytes, view, 0, size, msg, fds, site);
}

function encodeCase(c: { msg: WlMessage; values: { value: unknown }[]; objectId: number; opcode: number }): { bytes: Buffer; fds: number[] } {
  const w = new WireWriter(16);
  encodeMessage(w, c.objectId, c.opcode, c.msg, c.values.map((v) => v.value), 0xfffc);
  return { bytes: Buffer.from(w.buf.subarray(0, w.length)), fds: w.fds.slice() };
}

describe("wayland wire codec", () => {
  it("round-trips random messages of every argument type (header, padding, fds in order)", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { bytes, fds } = encodeCase(c);
        expect(bytes.length % 4).toBe(0);
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        expect(view.getUint32(0, true)).toBe(c.objectId);
        expect(view.getUint32(4, true) >>> 16).toBe(bytes.length);
        expect(view.getUint32(4, true) & 0xffff).toBe(c.opcode);
        expect(fds).toEqual(c.msg.args.flatMap((a, i) => (a.type === "fd" ? [c.values[i]!.value as number] : [])));
        const queue = new FdQueue();
        queue.push(fds);
        const decoded = decodeOne(bytes, c.msg, queue, 0xfffc);
        expect(decoded).toEqual(c.values.map((v) => v.decoded));
        expect(queue.length).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("writes strings as length (with NUL) + UTF-8 + NUL + zero padding, and null as length 0", () => {
    const msg: WlMessage = { name: "m", since: 1, args: [{ name: "s", type: "string", nullable: true }, { name: "t", type: "string", nullable: true }] };
    const w = new WireWriter();
    encodeMessage(w, 1, 2, msg, ["héllo", null]);
    expect([...w.buf.subarray(0, w.length)]).toEqual([1, 0, 0, 0, 2, 0, 24, 0, 7, 0, 0, 0, 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f, 0, 0, 0, 0, 0, 0]);
  });

  it("random bytes give ProtocolError or a decode, never another exception", () => {
    fc.assert(
      fc.property(messageArb, fc.uint8Array({ minLength: 8, maxLength: 200 }), fc.boolean(), (msg, raw, fixSize) => {
        const bytes = Buffer.from(raw.subarray(0, raw.length & ~3));
        // Half the cases get a plausible size field, so that the argument checks are reached.
        if (fixSize && bytes.length >= 8) bytes.writeUInt16LE(bytes.length, 6);
        const queue = new FdQueue();
        try {
          decodeOne(bytes, msg, queue);
        } catch (e) {
          if (e instanceof Error && (e.message === "incomplete" || e.message === "short")) return;
          expect(e).toBeInstanceOf(IPCError);
          expect((e as IPCError).code).toBe("ProtocolError");
          expect((e as IPCError).context).toMatchObject({ objectId: bytes.readUInt32LE(0), interface: expect.any(String), reason: expect.any(String) });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("a truncated message (size field patched to the shorter length) is a ProtocolError", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, cut) => {
        const { bytes, fds } = encodeCase(c);
        fc.pre(bytes.length > 8);
        const size = 8 + ((cut % (bytes.length - 8)) & ~3);
        fc.pre(size < bytes.length);
        const short = Buffer.from(bytes.subarray(0, size));
        short.writeUInt16LE(size, 6);
        const queue = new FdQueue();
        queue.push(fds);
        expect(thrownCode(() => decodeOne(short, c.msg, queue, 0xfffc))).toBe("ProtocolError");
      }),
      { numRuns: 500 },
    );
  });

  it("bad sizes (< 8, unaligned, over the limit, longer than the arguments) are ProtocolErrors", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 0xffff }), (c, size) => {
        const { bytes, fds } = encodeCase(c);
        fc.pre(size !== bytes.length);
        const padded = Buffer.alloc(Math.max(bytes.length, size + 8));
        bytes.copy(padded);
        padded.writeUInt16LE(size, 6);
        const queue = new FdQueue();
        queue.push(fds);
        // Too small, unaligned, over the limit, short of the arguments, or longer than them: all malformed.
        expect(thrownCode(() => decodeOne(padded, c.msg, queue, 0xfffc))).toBe("ProtocolError");
      }),
      { numRuns: 500 },
    );
    const w = new WireWriter();
    encodeMessage(w, 1, 0, { name: "m", since: 1, args: [{ name: "a", type: "array" }] }, [new Uint8Array(5000)], 0xfffc);
    expect(thrownCode(() => decodeOne(Buffer.from(w.buf.subarray(0, w.length)), { name: "m", since: 1, args: [] }, new FdQueue()))).toBe("ProtocolError");
  });

  it("names the broken rule: missing NUL, string past the end, missing fd, null non-nullable", () => {
    const reason = (bytes: number[], args: WlArg[], fds = new FdQueue()): string => {
      const b = Buffer.from(bytes);
      b.writeUInt16LE(b.length, 6);
      try {
        decodeOne(b, { name: "m", since: 1, args }, fds);
      } catch (e) {
        expect((e as IPCError).code).toBe("ProtocolError");
        return String((e as IPCError).context.reason);
      }
      return "decoded";
    };
    const hdr = [1, 0, 0, 0, 0, 0, 0, 0];
    expect(reason([...hdr, 2, 0, 0, 0, 0x41, 0x42, 0, 0], [{ name: "s", type: "string" }])).toMatch(/not NUL-terminated/);
    expect(reason([...hdr, 9, 0, 0, 0, 0x41, 0, 0, 0], [{ name: "s", type: "string" }])).toMatch(/past the message end/);
    expect(reason([...hdr, 0, 0, 0, 0], [{ name: "s", type: "string" }])).toMatch(/null string/);
    expect(reason([...hdr, 0, 0, 0, 0], [{ name: "o", type: "object" }])).toMatch(/null object/);
    expect(reason([...hdr, 0, 0, 0, 0], [{ name: "n", type: "new_id", interface: "x" }])).toMatch(/null new_id/);
    expect(reason([...hdr], [{ name: "h", type: "fd" }])).toMatch(/file descriptor expected/);
    expect(reason([...hdr, 1, 0, 0, 0], [])).toMatch(/after the last argument/);
    expect(reason([...hdr, 8, 0, 0, 0, 1, 2, 3, 4], [{ name: "a", type: "array" }])).toMatch(/past the message end/);
  });

  it("closes the descriptors a malformed message took, and leaves the later ones queued", () => {
    const fds = [openSync("/dev/null", "r"), openSync("/dev/null", "r"), openSync("/dev/null", "r")];
    const queue = new FdQueue();
    queue.push(fds);
    const b = Buffer.from([1, 0, 0, 0, 0, 0, 12, 0, 5, 0, 0, 0]);
    const args: WlArg[] = [{ name: "a", type: "fd" }, { name: "b", type: "fd" }, { name: "s", type: "string" }];
    expect(thrownCode(() => decodeOne(b, { name: "m", since: 1, args }, queue))).toBe("ProtocolError");
    expect(() => fstatSync(fds[0]!)).toThrow();
    expect(() => fstatSync(fds[1]!)).toThrow();
    expect(queue.take()).toBe(fds[2]);
    closeSync(fds[2]!);
  });

  it("refuses values the wire cannot carry, writing nothing", () => {
    const one = (type: WlArgType, extra: Partial<WlArg> = {}): WlMessage => ({ name: "m", since: 1, args: [{ name: "x", type, ...extra }] });
    const w = new WireWriter();
    const bad: [WlMessage, unknown][] = [
      [one("int"), 2 ** 31],
      [one("int"), 1.5],
      [one("uint"), -1],
      [one("uint"), "1"],
      [one("fixed"), Number.NaN],
      [one("fixed"), 2 ** 24],
      [one("string"), null],
      [one("string"), "a\0b"],
      [one("string"), 5],
      [one("object"), null],
      [one("object"), { id: -1 }],
      [one("new_id"), { interface: "x", id: 3 }],
      [one("array"), [1, 2]],
      [one("fd"), -1],
    ];
    for (const [msg, value] of bad) {
      expect(thrownCode(() => encodeMessage(w, 1, 0, msg, [value]))).toBe("InvalidArgument");
      expect(w.length).toBe(0);
      expect(w.fds.length).toBe(0);
    }
    expect(thrownCode(() => encodeMessage(w, 1, 0, one("uint"), []))).toBe("InvalidArgument");
    expect(thrownCode(() => encodeMessage(w, 1, 0, { name: "m", since: 1, args: [{ name: "h", type: "fd" }, { name: "a", type: "array" }] }, [5, new Uint8Array(4096)]))).toBe("MessageTooLarge");
    expect(w.length).toBe(0);
    expect(w.fds.length).toBe(0);
  });
});
