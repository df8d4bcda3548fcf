import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPCError } from "../../runtime/errors.js";
import { encodeMessage } from "../../runtime/wire/frame.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import type { Message } from "../../runtime/wire/message.js";
import { fixCrc, sampleMessages } from "./arbitraries.js";

interface Seen {
  messages: Message[];
  errors: { code: string; fatal: boolean; cause?: unknown }[];
}

function collect(options: { maxMessageSize?: number; resync?: boolean } = {}): { decoder: FrameDecoder; seen: Seen } {
  const seen: Seen = { messages: [], errors: [] };
  const decoder = new FrameDecoder({
    ...options,
    onMessage: (m) => seen.messages.push(m),
    onError: (e, fatal) => {
      expect(e).toBeInstanceOf(IPCError);
      seen.errors.push({ code: e.code, fatal, cause: e.cause });
    },
  });
  return { decoder, seen };
}

const messages = sampleMessages();
const frames = messages.map((m) => encodeMessage(m));
const stream = Buffer.concat(frames);

describe("FrameDecoder", () => {
  it("decodes many frames from one chunk", () => {
    const { decoder, seen } = collect();
    decoder.push(stream);
    expect(seen.messages).toEqual(messages);
    expect(seen.errors).toEqual([]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("reassembles frames delivered one byte at a time and reports what it holds", () => {
    const { decoder, seen } = collect();
    for (let i = 0; i < frames[0].length - 1; i++) decoder.push(frames[0].subarray(i, i + 1));
    expect(seen.messages).toEqual([]);
    expect(decoder.bufferedBytes).toBe(frames[0].length - 1);
    decoder.push(Buffer.concat([frames[0].subarray(frames[0].length - 1), frames[1]]));
    expect(seen.messages).toEqual(messages.slice(0, 2));
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("does not alias the caller's chunk: reusing the chunk after push leaves messages intact", () => {
    const { decoder, seen } = collect();
    const chunk = Buffer.from(frames[0]);
    decoder.push(chunk);
    chunk.fill(0);
    expect(seen.messages).toEqual([messages[0]]);
  });

  it("values decoded from Buffer chunks are plain Uint8Array copies, whatever the chunk is, at any size", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }), fc.string({ maxLength: 40 }), (blobs, method) => {
        const sent: Message = {
          type: "request",
          messageId: 1n,
          correlationId: 0n,
          timestampNs: 2n,
          body: { method: `x.${method}`, params: [blobs, { nested: blobs[0] }], timeoutMs: 10, flags: 0 },
        };
        const { decoder, seen } = collect();
        const chunk = Buffer.concat([encodeMessage(sent), encodeMessage(sent)]);
        decoder.push(chunk);
        chunk.fill(0xa5);
        expect(seen.errors).toEqual([]);
        expect(seen.messages).toHaveLength(2);
        for (const m of seen.messages) {
          const [got, nested] = (m.body as { params: [Uint8Array[], { nested: Uint8Array }] }).params;
          expect(got.map((b) => Object.getPrototypeOf(b) === Uint8Array.prototype)).toEqual(blobs.map(() => true));
          expect(got.map((b) => [...b])).toEqual(blobs.map((b) => [...b]));
          expect([...nested.nested]).toEqual([...blobs[0]]);
          expect((m.body as { method: string }).method).toBe(`x.${method}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("resynchronises after garbage between frames", () => {
    const { decoder, seen } = collect();
    decoder.push(Buffer.concat([frames[0], Buffer.from("garbage NOV NOVA junk"), frames[1], frames[2]]));
    expect(seen.messages).toEqual(messages.slice(0, 3));
    expect(seen.errors).toEqual([{ code: "CorruptedMessage", fatal: false, cause: undefined }]);
  });

  it("resynchronises after a CRC mismatch, chunked or not", () => {
    const bad = Uint8Array.from(frames[1]);
    bad[bad.length - 3] ^= 0x40;
    const input = Buffer.concat([frames[0], bad, frames[2], frames[3]]);
    for (const chunk of [input.length, 7, 1]) {
      const { decoder, seen } = collect();
      for (let i = 0; i < input.length; i += chunk) decoder.push(input.subarray(i, i + chunk));
      expect(seen.messages).toEqual([messages[0], messages[2], messages[3]]);
      expect(seen.errors.map((e) => e.code)).toEqual(["CorruptedMessage"]);
    }
  });

  it("reports an oversized length as MessageTooLarge and recovers", () => {
    const { decoder, seen } = collect({ maxMessageSize: 60 });
    decoder.push(Buffer.concat([frames[0], frames[3]])); // request > 60 bytes, heartbeat = 28
    expect(seen.messages).toEqual([messages[3]]);
    expect(seen.errors).toEqual([{ code: "MessageTooLarge", fatal: false, cause: undefined }]);
  });

  it("skips a frame with a valid CRC but a bad body, non-fatally", () => {
    const unknownType = Uint8Array.from(frames[0]);
    unknownType[6] = 9;
    const { decoder, seen } = collect();
    decoder.push(Buffer.concat([fixCrc(unknownType), frames[1]]));
    expect(seen.messages).toEqual([messages[1]]);
    expect(seen.errors).toEqual([{ code: "UnsupportedVersion", fatal: false, cause: undefined }]);
  });

  it("an unsupported major version where a frame starts is fatal and closes the decoder", () => {
    const v2 = Uint8Array.from(frames[0]);
    v2[4] = 2;
    const { decoder, seen } = collect();
    decoder.push(Buffer.concat([frames[1], v2, frames[2]]));
    decoder.push(frames[3]);
    expect(seen.messages).toEqual([messages[1]]);
    expect(seen.errors).toEqual([{ code: "UnsupportedVersion", fatal: true, cause: undefined }]);
    expect(decoder.closed).toBe(true);
    expect(decoder.bufferedBytes).toBe(0);
    decoder.reset();
    decoder.push(frames[3]);
    expect(seen.messages).toEqual([messages[1], messages[3]]);
  });

  it("with resync: false a framing error is fatal", () => {
    const { decoder, seen } = collect({ resync: false });
    decoder.push(Buffer.concat([Buffer.from("xx"), frames[0]]));
    expect(seen.messages).toEqual([]);
    expect(seen.errors).toEqual([{ code: "CorruptedMessage", fatal: true, cause: undefined }]);
  });

  it("gives up resynchronising after its scan budget, fatally", () => {
    // Many candidates that look like frames (magic, v1, small length) but never pass the CRC.
    const fake = Uint8Array.from(frames[3]);
    fake[fake.length - 1] ^= 1;
    const { decoder, seen } = collect({ maxMessageSize: 28 });
    const junk = Buffer.concat(new Array(20_000).fill(fake));
    decoder.push(junk);
    expect(seen.errors.at(-1)).toEqual({ code: "CorruptedMessage", fatal: true, cause: undefined });
    expect(seen.errors.filter((e) => e.fatal)).toHaveLength(1);
  });

  it("survives an onMessage that throws: reports InvalidHandler and keeps decoding", () => {
    const seen: Message[] = [];
    const errors: IPCError[] = [];
    const boom = new Error("handler bug");
    const decoder = new FrameDecoder({
      onMessage: (m) => {
        seen.push(m);
        if (seen.length === 1) throw boom;
      },
      onError: (e) => errors.push(e),
    });
    expect(() => decoder.push(stream)).not.toThrow();
    expect(seen).toEqual(messages);
    expect(errors.map((e) => [e.code, e.cause])).toEqual([["InvalidHandler", boom]]);
  });

  it("survives an onError that throws", () => {
    const decoder = new FrameDecoder({
      onMessage: () => undefined,
      onError: () => {
        throw new Error("bad listener");
      },
    });
    expect(() => decoder.push(Buffer.from("not a frame at all"))).not.toThrow();
  });

  it("reset() from a callback stops delivery at once; push() from a callback is queued in order", () => {
    const seen: bigint[] = [];
    const decoder: FrameDecoder = new FrameDecoder({
      onMessage: (m) => {
        seen.push(m.correlationId);
        if (m.type === "response") decoder.reset();
      },
      onError: () => undefined,
    });
    decoder.push(stream);
    expect(seen).toEqual([0n, 42n]);
    expect(decoder.bufferedBytes).toBe(0);

    const order: string[] = [];
    const reentrant: FrameDecoder = new FrameDecoder({
      onMessage: (m) => {
        order.push(m.type);
        if (m.type === "request") reentrant.push(frames[3]);
      },
      onError: () => undefined,
    });
    reentrant.push(Buffer.concat([frames[0], frames[1]]));
    expect(order).toEqual(["request", "response", "heartbeat"]);
  });

  it("reset() from onError drops the rest of the chunk; the decoder then works normally", () => {
    for (const garbage of [Buffer.from("zz"), Buffer.from("zzzzzz")]) {
      const seen: Message[] = [];
      const decoder: FrameDecoder = new FrameDecoder({ onMessage: (m) => seen.push(m), onError: () => decoder.reset() });
      decoder.push(Buffer.concat([frames[0], garbage, frames[1]]));
      expect(seen).toEqual([messages[0]]);
      expect(decoder.bufferedBytes).toBe(0);
      decoder.push(frames[2]);
      expect(seen).toEqual([messages[0], messages[2]]);
    }
    // Garbage shorter than a magic at the very end of a chunk takes another path.
    const seen: Message[] = [];
    const decoder: FrameDecoder = new FrameDecoder({ onMessage: (m) => seen.push(m), onError: () => decoder.reset() });
    decoder.push(Buffer.concat([frames[0], Buffer.from("zz")]));
    expect(decoder.bufferedBytes).toBe(0);
    decoder.push(frames[3]);
    expect(seen).toEqual([messages[0], messages[3]]);
  });

  it("rejects a bad maxMessageSize at construction", () => {
    expect(() => collect({ maxMessageSize: 1.5 })).toThrow(IPCError);
  });
});
