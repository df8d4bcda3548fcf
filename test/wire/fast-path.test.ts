/**
 * The sender fast path (encodeMessageInto, FrameWriter) must write exactly
 * the bytes encodeMessage writes, and fail the same way.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, encodeMessageAsync, encodeMessageInto, encodeMessageIntoUnsealed } from "../../runtime/wire/frame.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import { FrameWriter } from "../../runtime/wire/frame-writer.js";
import type { Message } from "../../runtime/wire/message.js";
import { messageArb, sampleMessages } from "./arbitraries.js";
import { codeOrOk, thrownCode as codeOf } from "../helpers/ipc-error.js";

const RUNS = { numRuns: 60 };

describe("encodeMessageInto", () => {
  it("writes the same bytes as encodeMessage at any offset", () => {
    fc.assert(
      fc.property(messageArb, fc.integer({ min: 0, max: 17 }), (m, offset) => {
        const expected = encodeMessage(m);
        const target = new Uint8Array(offset + expected.length + 5).fill(0xee);
        const n = encodeMessageInto(m, target, offset);
        expect(n).toBe(expected.length);
        expect(Buffer.from(target.subarray(offset, offset + n)).equals(expected)).toBe(true);
        expect([...target.subarray(0, offset)].every((x) => x === 0xee)).toBe(true);
        expect([...target.subarray(offset + n)].every((x) => x === 0xee)).toBe(true);
      }),
      RUNS,
    );
  });

  it("returns the negated frame length and writes nothing when the frame does not fit", () => {
    const [request] = sampleMessages();
    const size = encodeMessage(request).length;
    const target = new Uint8Array(size - 1).fill(7);
    expect(encodeMessageInto(request, target, 0)).toBe(-size);
    expect(encodeMessageInto(request, new Uint8Array(size + 3), 4)).toBe(-size);
    expect(codeOf(() => encodeMessageInto(request, new Uint8Array(size + 3), -1))).toBe("InvalidArgument");
    expect(codeOf(() => encodeMessageInto(request, new Uint8Array(size + 3), 0.5))).toBe("InvalidArgument");
    expect([...target].every((x) => x === 7)).toBe(true);
  });

  it("throws the IPCErrors encodeMessage throws", () => {
    const [request] = sampleMessages();
    const bad = { ...request, messageId: -1n } as Message;
    expect(codeOf(() => encodeMessageInto(bad, new Uint8Array(1024), 0))).toBe(codeOf(() => encodeMessage(bad)));
    expect(codeOf(() => encodeMessageInto(request, new Uint8Array(1024), 0, { maxMessageSize: 4 }))).toBe("MessageTooLarge");
  });
});

describe("the batch writers' direct lane (encodeMessageIntoUnsealed into a batch-size buffer)", () => {
  /** A field of a valid message replaced by something out of range or of the wrong type. */
  const breakage = fc.constantFrom(
    (m: Message) => ({ ...m, messageId: -1n }),
    (m: Message) => ({ ...m, correlationId: 1n << 64n }),
    (m: Message) => ({ ...m, timestampNs: 5 }),
    (m: Message) => ({ ...m, body: { ...m.body, method: 7, eventType: 7, status: -1, pid: "x" } }),
    (m: Message) => ({ ...m, body: { ...m.body, timeoutMs: 2 ** 32, priority: 256, executionTimeUs: 1.5 } }),
    (m: Message) => ({ ...m, body: { ...m.body, sourceId: -2n, flags: -1, error: { code: 1 } } }),
    (m: Message) => ({ ...m, body: { ...m.body, params: [Symbol("s")], data: () => 1, value: 1n << 70n } }),
    (m: Message) => ({ ...m, type: "bogus" }),
  );

  it("writes the bytes of encodeMessage, CRC aside, and fails with the same IPCError codes", () => {
    fc.assert(
      fc.property(messageArb, breakage, fc.integer({ min: 0, max: 300 }), (m, breakIt, offset) => {
        const target = new Uint8Array(1 << 16);
        const n = encodeMessageIntoUnsealed(m, target, offset);
        const expected = encodeMessage(m);
        expect(n).toBe(expected.length);
        const got = Buffer.from(target.subarray(offset, offset + n));
        expect(got.subarray(0, 36).equals(expected.subarray(0, 36))).toBe(true);
        expect(got.subarray(40).equals(expected.subarray(40))).toBe(true);
        const bad = breakIt(m) as Message;
        // (A breakage that does not touch this message type's fields encodes fine on both paths: "ok".)
        expect(codeOrOk(() => encodeMessageIntoUnsealed(bad, new Uint8Array(1 << 16), offset))).toBe(codeOrOk(() => encodeMessage(bad)));
        expect(codeOrOk(() => encodeMessageIntoUnsealed(m, new Uint8Array(1 << 16), offset, { maxMessageSize: 3 }))).toBe(
          codeOrOk(() => encodeMessage(m, { maxMessageSize: 3 })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("returns the negated frame length when the frame does not fit", () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const size = encodeMessage(m).length;
        const target = new Uint8Array(Math.max(4096, size));
        expect(encodeMessageIntoUnsealed(m, target, target.length - size + 1)).toBe(-size);
        expect(encodeMessageIntoUnsealed(m, target, target.length)).toBe(-size);
      }),
      RUNS,
    );
  });
});

describe("FrameWriter", () => {
  it("batches frames byte-identical to encodeMessage, and a FrameDecoder reads them back", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 64, max: 600 }), async (ms, slabSize) => {
        const writer = new FrameWriter({ slabSize });
        const batches: Buffer[] = [];
        ms.forEach((m, i) => {
          writer.write(m);
          if (i % 3 === 1) batches.push(writer.flush() as Buffer);
        });
        const last = writer.flush();
        if (last !== undefined) batches.push(last);
        expect(writer.flush()).toBeUndefined();
        const all = Buffer.concat(batches);
        expect(all.equals(Buffer.concat(ms.map((m) => encodeMessage(m))))).toBe(true);
        const got: Message[] = [];
        const errors: string[] = [];
        const decoder = new FrameDecoder({ onMessage: (m) => got.push(m), onError: (e) => errors.push(e.code) });
        for (const b of batches) decoder.push(b);
        // Compressed frames are decompressed off the thread; the rest wait behind them.
        await decoder.whenIdle();
        expect(errors).toEqual([]);
        expect(got).toEqual(ms.map((m) => decodeMessage(encodeMessage(m))));
      }),
      RUNS,
    );
  });

  it("with a full-size slab (the batch path with multi-byte stores) the bytes still equal encodeMessage's", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 30 }), (ms) => {
        const writer = new FrameWriter();
        for (const m of ms) writer.write(m);
        expect((writer.flush() as Buffer).equals(Buffer.concat(ms.map((m) => encodeMessage(m))))).toBe(true);
      }),
      RUNS,
    );
  });

  it("never rewrites bytes it has handed out", () => {
    const [request, response, event, heartbeat] = sampleMessages();
    const writer = new FrameWriter({ slabSize: 512 });
    const handed: { view: Buffer; copy: Buffer }[] = [];
    for (let i = 0; i < 200; i++) {
      writer.write([request, response, event, heartbeat][i % 4]);
      if (i % 5 === 0) {
        const view = writer.flush() as Buffer;
        handed.push({ view, copy: Buffer.from(view) });
      }
    }
    for (const h of handed) expect(h.view.equals(h.copy)).toBe(true);
  });

  it("appends nothing when a message fails, and honours its options", () => {
    const [request] = sampleMessages();
    const writer = new FrameWriter({ maxMessageSize: 8 });
    expect(codeOf(() => writer.write(request))).toBe("MessageTooLarge");
    expect(writer.pendingBytes).toBe(0);
    const json = new FrameWriter({ format: "json", compression: "lz4" });
    json.write(request);
    expect(json.pendingFrames).toBe(1);
    expect((json.flush() as Buffer).equals(encodeMessage(request, { format: "json", compression: "lz4" }))).toBe(true);
    expect(codeOf(() => new FrameWriter({ slabSize: 1 }))).toBe("InvalidArgument");
  });

  it("keeps encodeMessageAsync correct while sync encodes run during its await", async () => {
    const [request, , event] = sampleMessages();
    const z = { ...request, compression: "zstd" } as Message;
    const pending = encodeMessageAsync(z);
    const other = encodeMessage(event);
    expect(decodeMessage(await pending)).toEqual(decodeMessage(encodeMessage(z)));
    expect(decodeMessage(other)).toEqual(decodeMessage(encodeMessage(event)));
  });
});
