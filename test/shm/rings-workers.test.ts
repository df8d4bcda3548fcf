/**
 * The lock-free structures under real concurrency: producer and consumer
 * worker_threads share one SharedArrayBuffer and run with seeded random
 * pauses and batch sizes (test/shm/ring-worker.mjs). Every item must arrive
 * exactly once with the right content; in order for the SPSC structures, in
 * per-producer order (as each consumer sees it) for the MPMC queue. The byte
 * ring's doorbell protocol runs for real: a lost wake-up would show as a
 * 10 s wait timing out, and the test asserts none did.
 */
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SpscByteRing } from "../../runtime/shm/byte-ring.js";
import { MpmcQueue } from "../../runtime/shm/mpmc-queue.js";
import { SpscRing } from "../../runtime/shm/slot-ring.js";

const WORKER = fileURLToPath(new URL("./ring-worker.mjs", import.meta.url));
const DIST = fileURLToPath(new URL("../../dist", import.meta.url));
const SOURCES = ["byte-ring", "slot-ring", "mpmc-queue", "ring-common"];

interface Result {
  received?: number;
  bad?: number;
  waits?: number;
  timeouts?: number;
  got?: number[];
}

const live = new Set<Worker>();
afterEach(async () => {
  await Promise.all([...live].map((w) => w.terminate()));
  live.clear();
});

beforeAll(() => {
  // The workers run the compiled structures: refuse to test a stale build.
  for (const f of SOURCES) {
    const src = fileURLToPath(new URL(`../../runtime/shm/${f}.ts`, import.meta.url));
    const out = `${DIST}/runtime/shm/${f}.js`;
    let stale: boolean;
    try {
      stale = statSync(out).mtimeMs < statSync(src).mtimeMs;
    } catch {
      stale = true;
    }
    if (stale) throw new Error(`${out} is missing or older than its source: run \`npm run build\` first`);
  }
});

function start(data: Record<string, unknown>): Promise<Result> {
  const w = new Worker(WORKER, { workerData: { ...data, distRoot: DIST } });
  live.add(w);
  return new Promise((resolve, reject) => {
    let result: Result | undefined;
    w.once("message", (m: Result) => (result = m));
    w.once("error", reject);
    w.once("exit", (code) => {
      live.delete(w);
      if (result && code === 0) resolve(result);
      else reject(new Error(`ring worker exited with code ${code} and no result`));
    });
  });
}

const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe("two-worker interleavings", () => {
  it("SpscByteRing: every record once, in order, intact; no lost doorbell", async () => {
    await fc.assert(
      fc.asyncProperty(seeds, fc.constantFrom(4096, 8192), fc.constantFrom(64, 600, 9000), async (seed, capacity, maxLen) => {
        const sab = new SharedArrayBuffer(64 + SpscByteRing.bytesFor(capacity));
        SpscByteRing.init(sab, 64, capacity);
        const common = { kind: "byte", sab, offset: 64, control: new SharedArrayBuffer(16), producers: 1, count: 1500, seed, maxLen };
        const [prod, cons] = await Promise.all([start({ ...common, role: "producer", id: 0 }), start({ ...common, role: "consumer", id: 1 })]);
        expect(cons).toMatchObject({ received: 1500, bad: 0, timeouts: 0 });
        expect(prod.timeouts).toBe(0);
      }),
      { numRuns: 4 },
    );
  });

  it("SpscRing: every item once, in order, intact", async () => {
    await fc.assert(
      fc.asyncProperty(seeds, fc.constantFrom(2, 8, 64), async (seed, slots) => {
        const slotSize = 48;
        const sab = new SharedArrayBuffer(SpscRing.bytesFor(slots, slotSize));
        SpscRing.init(sab, 0, slots, slotSize);
        const common = { kind: "spsc", sab, offset: 0, control: new SharedArrayBuffer(16), producers: 1, count: 3000, seed, maxLen: slotSize };
        const [, cons] = await Promise.all([start({ ...common, role: "producer", id: 0 }), start({ ...common, role: "consumer", id: 1 })]);
        expect(cons.bad).toBe(0);
        expect(cons.got).toEqual(Array.from({ length: 3000 }, (_, i) => [0, i]).flat());
      }),
      { numRuns: 4 },
    );
  });

  it("MpmcQueue, 2 producers x 2 consumers: every item exactly once, per-producer order, intact", async () => {
    await fc.assert(
      fc.asyncProperty(seeds, fc.constantFrom(2, 4, 32), async (seed, slots) => {
        const slotSize = 40;
        const count = 2500;
        const sab = new SharedArrayBuffer(MpmcQueue.bytesFor(slots, slotSize));
        MpmcQueue.init(sab, 0, slots, slotSize);
        const common = { kind: "mpmc", sab, offset: 0, control: new SharedArrayBuffer(16), producers: 2, count, seed, maxLen: slotSize };
        const results = await Promise.all([
          start({ ...common, role: "producer", id: 0 }),
          start({ ...common, role: "producer", id: 1 }),
          start({ ...common, role: "consumer", id: 2 }),
          start({ ...common, role: "consumer", id: 3 }),
        ]);
        const consumers = results.slice(2);
        const seen = new Map<string, number>();
        for (const c of consumers) {
          expect(c.bad).toBe(0);
          const got = c.got ?? [];
          for (let k = 0; k < got.length; k += 2) seen.set(`${got[k]}:${got[k + 1]}`, (seen.get(`${got[k]}:${got[k + 1]}`) ?? 0) + 1);
        }
        expect(seen.size).toBe(2 * count);
        for (let p = 0; p < 2; p++) for (let i = 0; i < count; i++) expect(seen.get(`${p}:${i}`)).toBe(1);
        const q = MpmcQueue.attach(sab, 0);
        expect([q.size(), q.tryPop(new Uint8Array(slotSize))]).toEqual([0, -1]);
      }),
      { numRuns: 4 },
    );
  });
});
