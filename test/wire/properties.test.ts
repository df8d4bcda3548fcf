/**
 * Property tests of the wire format (fast-check): round trips, and that no
 * input — random, truncated, bit-flipped, arbitrarily chunked — produces
 * anything but messages and IPCErrors.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPCError, isIPCErrorCode } from "../../runtime/errors.js";
import { decodeMessage, decodeMessageAsync, encodeMessage } from "../../runtime/wire/frame.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import type { Message } from "../../runtime/wire/message.js";
import { messageArb } from "./arbitraries.js";

/** Runs `fn`; returns "ok" or the IPCError code. Any other exception fails the property. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (!(e instanceof IPCError) || !isIPCErrorCode(e.code)) throw e;
    return e.code;
  }
}

/**
 * Feeds `chunks` to a fresh decoder and waits until it has caught up with any
 * compressed frame; every callback argument must be a message or an IPCError.
 */
async function feed(chunks: Uint8Array[], maxMessageSize?: number): Promise<{ messages: Message[]; errors: string[] }> {
  const messages: Message[] = [];
  const errors: string[] = [];
  const decoder = new FrameDecoder({
    maxMessageSize,
    onMessage: (m) => messages.push(m),
    onError: (e) => {
      if (!(e instanceof IPCError)) throw new Error("non-IPCError reported");
      errors.push(e.code);
    },
  });
  for (const c of chunks) decoder.push(c);
  await decoder.whenIdle();
  return { messages, errors };
}

const RUNS = { numRuns: 150 };

describe("wire properties", () => {
  it("every encoded frame decodes to the same message (all types, formats, compressions)", () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        expect(decodeMessage(encodeMessage(m))).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it("the async decoder agrees with the sync one", async () => {
    await fc.assert(
      fc.asyncProperty(messageArb, async (m) => {
        expect(await decodeMessageAsync(encodeMessage(m))).toEqual(m);
      }),
      { numRuns: 60 },
    );
  });

  it("random bytes only ever produce IPCErrors, from decodeMessage and the stream decoder", async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // Random bytes behind a valid magic and version, to get past the first checks.
      fc.uint8Array({ minLength: 36, maxLength: 200 }).map((b) => Uint8Array.from([0x4e, 0x4f, 0x56, 0x41, 1, 0, ...b])),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        expect(outcome(() => decodeMessage(b, { maxMessageSize: 1024 }))).not.toBe("ok");
        await feed([b], 1024);
      }),
      { numRuns: 500 },
    );
  });

  it("every truncation of a valid frame is TruncatedMessage (and the stream decoder just waits)", async () => {
    await fc.assert(
      fc.asyncProperty(messageArb, fc.nat(), async (m, cut) => {
        const f = encodeMessage(m);
        const n = cut % f.length;
        expect(outcome(() => decodeMessage(f.subarray(0, n)))).toBe("TruncatedMessage");
        const { messages, errors } = await feed([f.subarray(0, n)]);
        expect(messages).toEqual([]);
        expect(errors).toEqual([]);
      }),
      RUNS,
    );
  });

  it("a single-bit flip anywhere in a frame yields an IPCError, never another exception", async () => {
    await fc.assert(
      fc.asyncProperty(messageArb, fc.nat(), fc.integer({ min: 0, max: 7 }), async (m, at, bit) => {
        const f = Uint8Array.from(encodeMessage(m));
        f[at % f.length] ^= 1 << bit;
        const code = outcome(() => decodeMessage(f));
        // Flipping a bit of the CRC-covered frame can never yield a valid frame.
        expect(code).not.toBe("ok");
        await feed([f]);
      }),
      { numRuns: 400 },
    );
  });

  it("after a flipped frame the stream decoder still delivers the frames that follow", async () => {
    await fc.assert(
      fc.asyncProperty(messageArb, messageArb, fc.nat(), fc.integer({ min: 0, max: 7 }), async (a, b, at, bit) => {
        const bad = Uint8Array.from(encodeMessage(a));
        const pos = at % bad.length;
        bad[pos] ^= 1 << bit;
        const good = encodeMessage(b);
        // A flipped length may claim up to the limit: keep the stream flowing past that.
        const max = 2048;
        const more = Math.ceil((max + 40) / good.length) + 2;
        const { messages, errors } = await feed([bad, ...new Array<Uint8Array>(more).fill(good)], max);
        expect(errors.length).toBeGreaterThan(0);
        if (pos === 4) {
          // The major version byte: the peer speaks another protocol, decoding stops (fatal).
          expect(messages).toEqual([]);
        } else {
          expect(messages.length).toBeGreaterThan(0);
          for (const m of messages) expect(m).toEqual(b);
          if (pos < 32 || pos >= 36) expect(messages).toHaveLength(more);
        }
      }),
      RUNS,
    );
  });

  it("chunked delivery split at every possible point decodes to the same frames", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { minLength: 1, maxLength: 3 }), async (ms) => {
        const all = Buffer.concat(ms.map((m) => encodeMessage(m)));
        for (let cut = 0; cut <= all.length; cut++) {
          const { messages, errors } = await feed([all.subarray(0, cut), all.subarray(cut)]);
          expect(errors).toEqual([]);
          expect(messages).toEqual(ms);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("random chunkings (many pieces) decode to the same frames", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), async (ms, sizes) => {
        const all = Buffer.concat(ms.map((m) => encodeMessage(m)));
        const chunks: Uint8Array[] = [];
        for (let p = 0, i = 0; p < all.length; i++) {
          const n = sizes[i % sizes.length];
          chunks.push(all.subarray(p, p + n));
          p += n;
        }
        const { messages, errors } = await feed(chunks);
        expect(errors).toEqual([]);
        expect(messages).toEqual(ms);
      }),
      RUNS,
    );
  });
});
