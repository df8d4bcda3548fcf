/**
 * The batching outbound queue: writes of one turn coalesce into one, a lone
 * frame goes out before the loop polls again, order is kept, memory is bounded.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OutboundQueue, SLAB_BYTES, type ByteSink } from "../../runtime/transport/outbound-queue.js";
import { IPCError } from "../../runtime/errors.js";
import { encodeMessage } from "../../runtime/wire/frame.js";
import type { EventMessage, Message } from "../../runtime/wire/message.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import { messageArb } from "../wire/arbitraries.js";

/** A sink that records writes and completes them when told to. */
function recordingSink(autoComplete = true): ByteSink & { writes: Uint8Array[]; complete(): void } {
  const pending: Array<() => void> = [];
  const sink = {
    writes: [] as Uint8Array[],
    write(data: Uint8Array, done: (error?: Error | null) => void) {
      sink.writes.push(data.slice());
      if (autoComplete) setImmediate(() => done(null));
      else pending.push(() => done(null));
    },
    complete() {
      for (const p of pending.splice(0)) p();
    },
  };
  return sink;
}

const frame = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe("OutboundQueue", () => {
  it("coalesces the frames of one turn into a single write, in order", async () => {
    const sink = recordingSink();
    const q = new OutboundQueue(sink, 1 << 20, 10_000);
    for (let i = 0; i < 1000; i++) expect(q.tryPush(frame(10, i & 0xff))).toBe(true);
    expect(sink.writes.length).toBe(0);
    await new Promise((r) => process.nextTick(r));
    expect(sink.writes.length).toBe(1);
    expect(sink.writes[0].length).toBe(10_000);
    for (let i = 0; i < 1000; i++) expect(sink.writes[0][i * 10]).toBe(i & 0xff);
  });

  it("writes a lone frame before the event loop polls again (no added latency)", async () => {
    const sink = recordingSink();
    const q = new OutboundQueue(sink, 1 << 20, 10_000);
    q.tryPush(frame(5, 1));
    await new Promise((r) => setImmediate(r));
    expect(sink.writes.length).toBe(1);
  });

  it("refuses frames once full, waits for room, and times out with TimeoutExpired", async () => {
    const sink = recordingSink(false);
    const q = new OutboundQueue(sink, 4096, 100);
    let accepted = 0;
    while (q.tryPush(frame(1000, 2))) accepted++;
    expect(accepted).toBe(5);
    await expect(q.whenWritable(20)).rejects.toSatisfy((e: unknown) => e instanceof IPCError && e.code === "TimeoutExpired");
    const waiting = q.whenWritable(5000);
    q.flush();
    sink.complete();
    await waiting;
    expect(q.hasRoom).toBe(true);
  });

  it("keeps every byte in order and stays bounded, whatever the frame sizes and turns", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 40 }), { maxLength: 8 }), async (turns) => {
        const sink = recordingSink();
        const max = 8192;
        const q = new OutboundQueue(sink, max, 50);
        const expected: number[] = [];
        let seq = 0;
        for (const sizes of turns) {
          for (const size of sizes) {
            const f = frame(size, seq++ & 0xff);
            if (!q.tryPush(f)) await q.whenWritable(5000).then(() => q.tryPush(f));
            for (const b of f) expected.push(b);
            expect(q.pendingBytes).toBeLessThanOrEqual(max + 3000);
          }
          await new Promise((r) => setImmediate(r));
        }
        await q.whenIdle();
        const written = sink.writes.flatMap((w) => [...w]);
        expect(written).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it("writes a full batch at once, so a long burst keeps the socket busy while the rest is queued", () => {
    const sink = recordingSink(false);
    const q = new OutboundQueue(sink, 1 << 20, 100_000);
    const size = 100;
    const perSlab = Math.floor(SLAB_BYTES / size);
    for (let i = 0; i < perSlab * 3; i++) expect(q.tryPush(frame(size, i & 0xff))).toBe(true);
    // Still in the same turn: every full batch has already been handed to the sink, one write each.
    expect(sink.writes.length).toBe(2);
    expect(sink.writes.every((w) => w.length === perSlab * size)).toBe(true);
    expect(sink.writes[1][0]).toBe(perSlab & 0xff);
    q.flush();
    expect(sink.writes.length).toBe(3);
    expect(q.pendingBytes).toBe(perSlab * 3 * size);
  });

  it("writes a frame larger than a batch on its own, after what was queued before it", async () => {
    const sink = recordingSink();
    const q = new OutboundQueue(sink, 4 << 20, 10_000);
    q.tryPush(frame(10, 1));
    q.tryPush(frame(SLAB_BYTES + 1, 2));
    q.tryPush(frame(10, 3));
    await q.whenIdle();
    expect(sink.writes.map((w) => [w.length, w[0]])).toEqual([
      [10, 1],
      [SLAB_BYTES + 1, 2],
      [10, 3],
    ]);
    expect(q.pendingBytes).toBe(0);
  });

  it("encodes messages straight into the batch: the bytes equal encodeMessage's, across batch boundaries and big frames", async () => {
    const event = (id: number, size: number): EventMessage => ({
      type: "event",
      messageId: BigInt(id),
      correlationId: 0n,
      timestampNs: 0n,
      body: { eventType: "test.data", data: "x".repeat(size), sourceId: 0n, priority: 0 },
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: SLAB_BYTES - 200, max: SLAB_BYTES + 5000 })), { maxLength: 30 }), async (sizes) => {
        const sink = recordingSink();
        const q = new OutboundQueue(sink, 1 << 22, 10_000);
        const expected: Buffer[] = [];
        sizes.forEach((size, i) => {
          expect(q.tryPushMessage(event(i + 1, size), {})).toBe(true);
          expected.push(encodeMessage(event(i + 1, size)));
        });
        await q.whenIdle();
        // Buffer.equals: toEqual compares megabytes element by element.
        expect(Buffer.concat(sink.writes).equals(Buffer.concat(expected))).toBe(true);
        expect(sink.writes.every((w) => w.length <= SLAB_BYTES || sizes.some((s) => s >= SLAB_BYTES - 200))).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it("refuses a message that cannot be encoded without queueing anything", async () => {
    const sink = recordingSink();
    const q = new OutboundQueue(sink, 1 << 20, 10_000);
    const big = { type: "event", messageId: 1n, correlationId: 0n, timestampNs: 0n, body: { eventType: "t", data: "y".repeat(5000), sourceId: 0n, priority: 0 } } as const;
    expect(() => q.tryPushMessage(big, { maxMessageSize: 1000 })).toThrow(IPCError);
    expect(q.pendingBytes).toBe(0);
    expect(q.tryPushMessage(big, {})).toBe(true);
    await q.whenIdle();
    expect(Buffer.concat(sink.writes).equals(encodeMessage(big))).toBe(true);
  });

  it("fails waiters and later pushes once failed", async () => {
    const q = new OutboundQueue(recordingSink(false), 4096, 1);
    q.tryPush(frame(10, 1));
    const waiting = q.whenWritable(5000);
    q.fail(new IPCError("ChannelClosed", "gone"));
    await expect(waiting).rejects.toSatisfy((e: unknown) => e instanceof IPCError && e.code === "ChannelClosed");
    expect(() => q.tryPush(frame(1, 1))).toThrow(IPCError);
  });

  it("any mix of encoded messages and pre-encoded frames goes out byte-identical to encodeMessage, every CRC sealed", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(messageArb, fc.boolean()), { minLength: 1, maxLength: 40 }), async (items) => {
        const sink = recordingSink();
        const q = new OutboundQueue(sink, 1 << 22, 10_000);
        for (const [m, preEncoded] of items) {
          expect(preEncoded ? q.tryPush(encodeMessage(m)) : q.tryPushMessage(m, {})).toBe(true);
        }
        await q.whenIdle();
        const sent = Buffer.concat(sink.writes);
        expect(sent.equals(Buffer.concat(items.map(([m]) => encodeMessage(m))))).toBe(true);
        const got: Message[] = [];
        const errors: string[] = [];
        const decoder = new FrameDecoder({ onMessage: (m) => got.push(m), onError: (e) => errors.push(e.code) });
        for (const w of sink.writes) decoder.push(w);
        await decoder.whenIdle(); // compressed frames are decompressed off the thread
        expect(errors).toEqual([]);
        expect(got.length).toBe(items.length);
      }),
      { numRuns: 60 },
    );
  });

  it("with a sink that takes some bytes at once (tryWrite), the rest goes through write, in order, and the accounting returns to zero", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 10 }),
        async (sizes, modes) => {
          const out: Uint8Array[] = [];
          let call = 0;
          let direct = 0;
          const sink: ByteSink = {
            // 0: takes nothing, 1: takes all, 2: takes about half.
            tryWrite(data, length) {
              const mode = modes[call++ % modes.length];
              const n = mode === 0 ? 0 : mode === 1 ? length : length >> 1;
              out.push(data.slice(0, n));
              direct += n;
              return n;
            },
            write(data, done) {
              out.push(data.slice());
              setImmediate(() => done(null));
            },
          };
          const q = new OutboundQueue(sink, 1 << 22, 10_000);
          const expected: Uint8Array[] = [];
          for (const [k, n] of sizes.entries()) {
            const f = frame(n, k + 1);
            expected.push(f);
            expect(q.tryPush(f)).toBe(true);
            if (k % 3 === 2) await new Promise((r) => setImmediate(r));
          }
          await q.whenIdle();
          expect(q.pendingBytes).toBe(0);
          expect(Buffer.concat(out).equals(Buffer.concat(expected))).toBe(true);
          if (modes.every((m) => m === 1)) expect(direct).toBe(sizes.reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 60 },
    );
  });
});
