/**
 * SpscByteRing, single thread: a model-based property test against a plain
 * byte array, wrap-around, header validation, the doorbell flags, and a
 * producer "killed" mid-copy (bytes written, tail never published).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BYTE_RING_HEADER_BYTES, BYTE_RING_WORDS, SpscByteRing } from "../../runtime/shm/byte-ring.js";
import { thrownCode } from "../helpers/ipc-error.js";

const CAP = 4096;

function fresh(capacity = CAP, offset = 0): { sab: SharedArrayBuffer; ring: SpscByteRing } {
  const sab = new SharedArrayBuffer(offset + SpscByteRing.bytesFor(capacity));
  return { sab, ring: SpscByteRing.init(sab, offset, capacity) };
}

/** Reads everything readable through peek/consume (both wrap halves). */
function drain(ring: SpscByteRing, max = Infinity): number[] {
  const out: number[] = [];
  while (out.length < max) {
    const view = ring.peek();
    if (view.length === 0) break;
    const take = Math.min(view.length, max - out.length);
    for (let i = 0; i < take; i++) out.push(view[i]);
    ring.consume(take);
  }
  return out;
}

function pattern(len: number, seed: number): Uint8Array {
  const a = new Uint8Array(len);
  for (let i = 0; i < len; i++) a[i] = (seed * 31 + i * 7) & 0xff;
  return a;
}

describe("SpscByteRing", () => {
  // Each op runs on one of two objects over the same memory: any object may take over either role (not concurrently).
  it("behaves like a byte queue under random writes, partial writes and reads, from either of two handles (model-based)", () => {
    const who = fc.nat(1);
    const op = fc.oneof(
      fc.record({ kind: fc.constant("write" as const), len: fc.integer({ min: 0, max: 3000 }), seed: fc.nat(255), who }),
      fc.record({ kind: fc.constant("some" as const), len: fc.integer({ min: 0, max: 6000 }), seed: fc.nat(255), who }),
      fc.record({ kind: fc.constant("read" as const), len: fc.integer({ min: 0, max: 5000 }), seed: fc.constant(0), who }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 0, max: 3 }), (ops, offLines) => {
        const { sab, ring: first } = fresh(CAP, offLines * 64);
        const handles = [first, SpscByteRing.attach(sab, offLines * 64)];
        const model: number[] = [];
        for (const o of ops) {
          const ring = handles[o.who];
          if (o.kind === "read") {
            expect(drain(ring, o.len)).toEqual(model.splice(0, o.len));
          } else {
            const src = pattern(o.len + 5, o.seed);
            const room = CAP - model.length;
            if (o.kind === "write") {
              const ok = ring.tryWrite(src, 5, 5 + o.len);
              expect(ok).toBe(o.len <= room);
              if (ok) model.push(...src.subarray(5));
            } else {
              const n = ring.writeSome(src, 5, 5 + o.len);
              expect(n).toBe(Math.min(o.len, room));
              model.push(...src.subarray(5, 5 + n));
            }
          }
          expect(ring.readable()).toBe(model.length);
          expect(ring.writable()).toBe(CAP - model.length);
        }
        expect(drain(handles[0])).toEqual(model);
      }),
      { numRuns: 200 },
    );
  });

  it("peek returns the part before the wrap point, then the rest", () => {
    const { ring } = fresh();
    expect(ring.tryWrite(new Uint8Array(4000), 0, 4000)).toBe(true);
    ring.consume(4000);
    const rec = pattern(300, 9);
    expect(ring.tryWrite(rec, 0, 300)).toBe(true);
    const first = ring.peek();
    expect(first.length).toBe(96); // 4096 - 4000
    expect([...first]).toEqual([...rec.subarray(0, 96)]);
    ring.consume(96);
    const rest = ring.peek();
    expect(rest.length).toBe(204);
    expect([...rest]).toEqual([...rec.subarray(96)]);
    ring.consume(204);
    expect(ring.peek().length).toBe(0);
  });

  it("keeps working after the uint32 counters wrap", () => {
    const { sab } = fresh();
    const h = new Int32Array(sab, 0, BYTE_RING_HEADER_BYTES / 4);
    // Both counters just below 2^32: the next writes cross the wrap.
    h[BYTE_RING_WORDS.tail] = -100;
    h[BYTE_RING_WORDS.head] = -100;
    const ring = SpscByteRing.attach(sab, 0); // a ring object reads the positions when it is made
    const rec = pattern(1000, 3);
    for (let i = 0; i < 10; i++) {
      expect(ring.tryWrite(rec, 0, rec.length)).toBe(true);
      expect(drain(ring)).toEqual([...rec]);
    }
    expect(ring.readable()).toBe(0);
  });

  it("a producer killed mid-copy exposes nothing, and the next producer overwrites its bytes", () => {
    const { sab, ring } = fresh();
    expect(ring.tryWrite(pattern(10, 1), 0, 10)).toBe(true);
    // Simulate the copy of a second record without the tail store that publishes it.
    const data = new Uint8Array(sab, BYTE_RING_HEADER_BYTES, CAP);
    data.set(pattern(500, 2), 10);
    expect(ring.readable()).toBe(10);
    expect(drain(ring)).toEqual([...pattern(10, 1)]);
    expect(ring.peek().length).toBe(0);
    // A restarted producer attaches and writes at the published tail.
    const again = SpscByteRing.attach(sab, 0);
    expect(again.tryWrite(pattern(20, 7), 0, 20)).toBe(true);
    expect(drain(ring)).toEqual([...pattern(20, 7)]);
  });

  it("attach sees the same ring; bad headers and ranges are typed errors", () => {
    const { sab, ring } = fresh(8192, 128);
    ring.tryWrite(pattern(33, 4), 0, 33);
    const other = SpscByteRing.attach(sab, 128);
    expect(other.capacity).toBe(8192);
    expect(drain(other)).toEqual([...pattern(33, 4)]);

    const h = new Uint32Array(sab, 128, BYTE_RING_HEADER_BYTES / 4);
    expect(thrownCode(() => SpscByteRing.attach(sab, 0))).toBe("CorruptedMessage"); // nothing there
    expect(thrownCode(() => SpscByteRing.attach(sab, 100))).toBe("InvalidArgument"); // unaligned
    expect(thrownCode(() => SpscByteRing.attach(sab, sab.byteLength))).toBe("InvalidArgument"); // out of bounds
    expect(thrownCode(() => SpscByteRing.attach(new ArrayBuffer(4096) as unknown as SharedArrayBuffer, 0))).toBe("InvalidArgument");
    const save = [...h.subarray(0, 4)];
    const restore = (): void => h.set(save, 0);
    h[1] = 99; // version
    expect(thrownCode(() => SpscByteRing.attach(sab, 128))).toBe("CorruptedMessage");
    restore();
    h[2] = 5000; // capacity not a power of two
    expect(thrownCode(() => SpscByteRing.attach(sab, 128))).toBe("CorruptedMessage");
    restore();
    h[2] = 1 << 20; // capacity larger than the memory
    expect(thrownCode(() => SpscByteRing.attach(sab, 128))).toBe("CorruptedMessage");
    restore();
    const T = BYTE_RING_WORDS.tail;
    const H = BYTE_RING_WORDS.head;
    h[T] = h[H] + 8193; // more readable than capacity
    expect(thrownCode(() => SpscByteRing.attach(sab, 128))).toBe("CorruptedMessage");
    expect(thrownCode(() => ring.peek())).toBe("CorruptedMessage");
    h[T] = h[H];
    expect(SpscByteRing.attach(sab, 128).readable()).toBe(0);
  });

  it("rejects bad arguments", () => {
    const sab = new SharedArrayBuffer(1 << 16);
    for (const cap of [0, 1000, 2048, 4097, 2 ** 31]) {
      expect(thrownCode(() => SpscByteRing.bytesFor(cap))).toBe("InvalidArgument");
    }
    expect(thrownCode(() => SpscByteRing.init(sab, 0, 1 << 16))).toBe("InvalidArgument"); // header does not fit
    const ring = SpscByteRing.init(sab, 0, 4096);
    const src = new Uint8Array(10);
    expect(thrownCode(() => ring.tryWrite(src, 5, 11))).toBe("InvalidArgument");
    expect(thrownCode(() => ring.writeSome(src, 6, 5))).toBe("InvalidArgument");
    ring.tryWrite(src, 0, 10);
    expect(thrownCode(() => ring.consume(11))).toBe("InvalidArgument");
    expect(thrownCode(() => ring.consume(-1))).toBe("InvalidArgument");
    expect(ring.readable()).toBe(10);
  });

  it("doorbell flags: arm re-checks, take fires once", () => {
    const { ring } = fresh();
    expect(ring.takeConsumerWait()).toBe(false);
    expect(ring.armConsumerWait()).toBe(true); // empty: park
    ring.tryWrite(pattern(4, 0), 0, 4);
    expect(ring.takeConsumerWait()).toBe(true); // producer rings once
    expect(ring.takeConsumerWait()).toBe(false);
    expect(ring.armConsumerWait()).toBe(false); // data present: do not park
    expect(ring.takeConsumerWait()).toBe(false); // and the flag was lowered

    expect(ring.armProducerWait(5000)).toBe(true); // 4092 free < 5000
    ring.consume(4);
    expect(ring.takeProducerWait()).toBe(true);
    expect(ring.takeProducerWait()).toBe(false);
    ring.tryWrite(new Uint8Array(4096), 0, 4096);
    expect(ring.armProducerWait()).toBe(true); // full
    ring.consume(1);
    expect(ring.takeProducerWait()).toBe(true);
    expect(ring.armProducerWait()).toBe(false);
    expect(ring.takeProducerWait()).toBe(false);
  });

  it("close is seen by the consumer after the remaining bytes, and an empty closed ring does not park", () => {
    const { sab, ring } = fresh();
    ring.tryWrite(pattern(7, 1), 0, 7);
    ring.close();
    const consumer = SpscByteRing.attach(sab, 0);
    expect(consumer.closed).toBe(true);
    expect(drain(consumer)).toEqual([...pattern(7, 1)]);
    expect(consumer.armConsumerWait()).toBe(false);
  });

  it("1 GiB capacity is accepted by bytesFor", () => {
    expect(SpscByteRing.bytesFor(1 << 30)).toBe(BYTE_RING_HEADER_BYTES + (1 << 30));
  });
});
