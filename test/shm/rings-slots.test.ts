/**
 * SpscRing and MpmcQueue, single thread: model-based property tests against
 * a plain array queue, counter wrap-around, header validation, and producers
 * "killed" between claiming and publishing a slot.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MpmcQueue, SKIPPED } from "../../runtime/shm/mpmc-queue.js";
import { SLOT_HEADER_BYTES, SLOT_WORDS, slotStride } from "../../runtime/shm/ring-common.js";
import { SpscRing } from "../../runtime/shm/slot-ring.js";
import { thrownCode } from "../helpers/ipc-error.js";

type SlotQueue = SpscRing | MpmcQueue;
type Kind = "spsc" | "mpmc";

function make(kind: Kind, slots: number, slotSize: number, offset = 0): { sab: SharedArrayBuffer; q: SlotQueue } {
  const Ctor = kind === "spsc" ? SpscRing : MpmcQueue;
  const sab = new SharedArrayBuffer(offset + Ctor.bytesFor(slots, slotSize));
  return { sab, q: Ctor.init(sab, offset, slots, slotSize) };
}

function record(len: number, seed: number): Uint8Array {
  const a = new Uint8Array(len);
  for (let i = 0; i < len; i++) a[i] = (seed * 13 + i * 101) & 0xff;
  return a;
}

function popAll(q: SlotQueue, dst: Uint8Array): number[][] {
  const out: number[][] = [];
  for (let n = q.tryPop(dst); n >= 0; n = q.tryPop(dst)) out.push([...dst.subarray(0, n)]);
  return out;
}

const W_PRODUCER = SLOT_WORDS.producer;
const W_CONSUMER = SLOT_WORDS.consumer;

describe.each(["spsc", "mpmc"] as const)("%s slots", (kind) => {
  // Each op runs on one of two objects over the same memory: any object may take over either role (not concurrently).
  it("behaves like an array queue under random pushes and pops, from either of two handles (model-based)", () => {
    const op = fc.oneof(
      fc.record({ push: fc.constant(true), len: fc.integer({ min: 0, max: 100 }), seed: fc.nat(255), who: fc.nat(1) }),
      fc.record({ push: fc.constant(false), len: fc.constant(0), seed: fc.constant(0), who: fc.nat(1) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(2, 4, 16),
        fc.integer({ min: 1, max: 100 }),
        fc.array(op, { maxLength: 120 }),
        fc.boolean(),
        (slots, slotSize, ops, nearWrap) => {
          const made = make(kind, slots, slotSize);
          const sab = made.sab;
          let q = made.q;
          if (nearWrap) {
            // Start both positions just below 2^32 so the run crosses the counter wrap.
            const h = new Int32Array(sab, 0, SLOT_HEADER_BYTES / 4);
            const start = -37;
            h[W_PRODUCER] = start;
            h[W_CONSUMER] = start;
            if (kind === "mpmc") {
              const words = new Int32Array(sab, SLOT_HEADER_BYTES);
              const sw = slotStride(slotSize) / 4;
              for (let p = start; p < start + slots; p++) words[(p & (slots - 1)) * sw] = p;
            }
            q = kind === "spsc" ? SpscRing.attach(sab, 0) : MpmcQueue.attach(sab, 0); // picks up the new positions
          }
          const handles = [q, kind === "spsc" ? SpscRing.attach(sab, 0) : MpmcQueue.attach(sab, 0)];
          const model: number[][] = [];
          const dst = new Uint8Array(slotSize);
          for (const o of ops) {
            const q = handles[o.who];
            if (o.push) {
              const src = record(Math.min(o.len, slotSize), o.seed);
              const ok = q.tryPush(src);
              expect(ok).toBe(model.length < slots);
              if (ok) model.push([...src]);
            } else {
              const n = q.tryPop(dst);
              const want = model.shift();
              expect(n).toBe(want === undefined ? -1 : want.length);
              if (want !== undefined) expect([...dst.subarray(0, n)]).toEqual(want);
            }
            expect(q.size()).toBe(model.length);
          }
          expect(popAll(q, dst)).toEqual(model);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rejects oversized records and small destinations without changing the queue", () => {
    const { q } = make(kind, 4, 10);
    expect(thrownCode(() => q.tryPush(new Uint8Array(11)))).toBe("MessageTooLarge");
    expect(q.tryPush(record(10, 1))).toBe(true);
    expect(thrownCode(() => q.tryPop(new Uint8Array(9)))).toBe("InvalidArgument");
    expect(q.size()).toBe(1);
    expect(popAll(q, new Uint8Array(10))).toEqual([[...record(10, 1)]]);
  });

  it("attach sees the same queue; bad headers and ranges are typed errors", () => {
    const { sab, q } = make(kind, 8, 24, 64);
    q.tryPush(record(5, 2));
    const Ctor = kind === "spsc" ? SpscRing : MpmcQueue;
    const other = Ctor.attach(sab, 64);
    expect([other.slots, other.slotSize]).toEqual([8, 24]);
    expect(popAll(other, new Uint8Array(24))).toEqual([[...record(5, 2)]]);

    const h = new Int32Array(sab, 64, SLOT_HEADER_BYTES / 4);
    const save = [...h.subarray(0, 4)];
    const restore = (): void => h.set(save, 0);
    expect(thrownCode(() => Ctor.attach(sab, 0))).toBe("CorruptedMessage");
    expect(thrownCode(() => Ctor.attach(sab, 65))).toBe("InvalidArgument");
    expect(thrownCode(() => Ctor.attach(sab, sab.byteLength))).toBe("InvalidArgument");
    const Wrong = kind === "spsc" ? MpmcQueue : SpscRing; // the other structure's magic
    expect(thrownCode(() => Wrong.attach(sab, 64))).toBe("CorruptedMessage");
    for (const [word, value] of [[1, 2], [2, 6], [2, 0], [2, 1 << 25], [2, 1024], [3, 0], [3, -1]] as const) {
      h[word] = value;
      expect(thrownCode(() => Ctor.attach(sab, 64))).toBe("CorruptedMessage");
      restore();
    }
    h[W_PRODUCER] = h[W_CONSUMER] + 9; // more records than slots
    expect(thrownCode(() => Ctor.attach(sab, 64))).toBe("CorruptedMessage");
    h[W_PRODUCER] = h[W_CONSUMER];
    expect(Ctor.attach(sab, 64).size()).toBe(0);
  });

  it("a scribbled slot length is CorruptedMessage, not an out-of-bounds copy", () => {
    const { sab, q } = make(kind, 4, 16);
    q.tryPush(record(3, 1));
    new Int32Array(sab, SLOT_HEADER_BYTES)[1] = 1 << 20;
    expect(thrownCode(() => q.tryPop(new Uint8Array(16)))).toBe("CorruptedMessage");
  });

  it("a producer killed after writing a slot but before publishing it exposes nothing", () => {
    const { sab, q } = make(kind, 4, 16);
    expect(q.tryPush(record(16, 1))).toBe(true);
    // The killed producer: claims position 1 (MPMC: the CAS on the counter), writes the payload and length, dies.
    const h = new Int32Array(sab, 0, SLOT_HEADER_BYTES / 4);
    const stride = slotStride(16);
    if (kind === "mpmc") h[W_PRODUCER] = 2;
    new Int32Array(sab, SLOT_HEADER_BYTES + stride)[1] = 16;
    new Uint8Array(sab, SLOT_HEADER_BYTES + stride + 8, 16).set(record(16, 99));
    const dst = new Uint8Array(16);
    expect(popAll(q, dst)).toEqual([[...record(16, 1)]]);
    expect(q.tryPop(dst)).toBe(-1);
  });
});

describe("MpmcQueue stalled slot", () => {
  function stalled(): { sab: SharedArrayBuffer; q: MpmcQueue; dst: Uint8Array } {
    const { sab, q } = make("mpmc", 4, 8);
    const mq = q as MpmcQueue;
    mq.tryPush(record(8, 1));
    // A producer claims position 1 and dies before publishing; others keep pushing after it.
    new Int32Array(sab, 0, SLOT_HEADER_BYTES / 4)[W_PRODUCER] = 2;
    mq.tryPush(record(8, 3));
    return { sab, q: mq, dst: new Uint8Array(8) };
  }

  it("blocks consumers at the claimed position, is detected, and recoverStalled skips it", () => {
    const { q, dst } = stalled();
    expect(q.stalledPosition()).toBe(-1); // position 0 is published
    expect(popAll(q, dst)).toEqual([[...record(8, 1)]]);
    expect(q.size()).toBe(2); // the dead claim and one published record behind it
    expect(q.stalledPosition()).toBe(1);
    expect(q.recoverStalled(0, dst)).toBe(-1); // wrong position: nothing done
    expect(q.recoverStalled(1, dst)).toBe(SKIPPED);
    expect(q.stalledPosition()).toBe(-1);
    expect(popAll(q, dst)).toEqual([[...record(8, 3)]]);
    // The skipped slot is reusable on the next lap: fill and drain the whole queue twice.
    for (let lap = 0; lap < 2; lap++) {
      for (let i = 0; i < 4; i++) expect(q.tryPush(record(i, i))).toBe(true);
      expect(q.tryPush(record(1, 0))).toBe(false);
      expect(popAll(q, dst)).toEqual([0, 1, 2, 3].map((i) => [...record(i, i)]));
    }
  });

  it("if the producer publishes before recoverStalled wins the slot, the record is delivered", () => {
    const { sab, q, dst } = stalled();
    popAll(q, dst);
    const pos = q.stalledPosition();
    // The "dead" producer was only slow: it finishes its copy and publishes (sequence 1 -> 2) now.
    const words = new Int32Array(sab, SLOT_HEADER_BYTES);
    const sw = slotStride(8) / 4;
    words[sw + 1] = 2;
    new Uint8Array(sab, SLOT_HEADER_BYTES + sw * 4 + 8, 2).set([7, 7]);
    Atomics.store(words, sw, 2);
    expect(q.recoverStalled(pos, dst)).toBe(-1); // no longer stalled: an ordinary pop takes it
    expect(popAll(q, dst)).toEqual([[7, 7], [...record(8, 3)]]);
  });

  it("a producer whose slot was skipped learns it: its publish fails", () => {
    const { sab, q } = make("mpmc", 2, 4);
    const mq = q as MpmcQueue;
    // The producer's steps (claim CAS, copy, publishing CAS) with a recovery between claim and publish.
    const h = new Int32Array(sab, 0, SLOT_HEADER_BYTES / 4);
    const words = new Int32Array(sab, SLOT_HEADER_BYTES);
    expect(Atomics.compareExchange(h, W_PRODUCER, 0, 1)).toBe(0); // claim position 0
    expect(mq.recoverStalled(mq.stalledPosition(), new Uint8Array(4))).toBe(SKIPPED);
    expect(Atomics.compareExchange(words, 0, 0, 1)).not.toBe(0); // the producer's publishing CAS fails
    expect(mq.tryPop(new Uint8Array(4))).toBe(-1);
    expect(mq.tryPush(record(4, 5))).toBe(true);
    expect(mq.tryPush(record(4, 6))).toBe(true);
    expect(mq.tryPush(record(4, 7))).toBe(false);
    expect(popAll(mq, new Uint8Array(4))).toEqual([[...record(4, 5)], [...record(4, 6)]]);
  });

  it("a consumer killed between claim and free (the documented limitation): the queue fills up at that slot", () => {
    const { sab } = make("mpmc", 4, 8);
    const q = MpmcQueue.attach(sab, 0);
    const dst = new Uint8Array(8);
    for (let i = 0; i < 4; i++) expect(q.tryPush(record(8, i))).toBe(true);
    // The dying consumer claims position 0 (the CAS on the dequeue position) and never frees slot 0.
    const h = new Int32Array(sab, 0, SLOT_HEADER_BYTES / 4);
    expect(Atomics.compareExchange(h, W_CONSUMER, 0, 1)).toBe(0);
    expect(popAll(q, dst)).toEqual([1, 2, 3].map((i) => [...record(8, i)])); // the others still flow
    expect(q.tryPush(record(8, 9))).toBe(false); // position 4 needs slot 0: full for good
    expect(q.stalledPosition()).toBe(-1); // not a producer stall: recoverStalled cannot help
  });

  it("a scribbled sequence number is CorruptedMessage, not an endless spin", () => {
    const { sab, q } = make("mpmc", 4, 8);
    const words = new Int32Array(sab, SLOT_HEADER_BYTES);
    words[0] = 5; // slot 0 claims to be ahead of position 0, though nobody claimed it
    expect(thrownCode(() => q.tryPush(record(1, 1)))).toBe("CorruptedMessage");
    words[0] = 0;
    q.tryPush(record(1, 1));
    words[0] = 9;
    expect(thrownCode(() => q.tryPop(new Uint8Array(8)))).toBe("CorruptedMessage");
  });
});

it("slot geometry arguments are validated", () => {
  for (const Ctor of [SpscRing, MpmcQueue]) {
    for (const [slots, size] of [[0, 8], [3, 8], [1, 8], [2 ** 25, 8], [4, 0], [4, 1.5], [4, 2 ** 25], [2 ** 24, 2 ** 24]]) {
      expect(thrownCode(() => Ctor.bytesFor(slots, size))).toBe("InvalidArgument");
    }
    expect(thrownCode(() => Ctor.init(new SharedArrayBuffer(100), 0, 4, 8))).toBe("InvalidArgument");
    expect(Ctor.bytesFor(4, 8)).toBe(SLOT_HEADER_BYTES + 4 * 16);
  }
});
