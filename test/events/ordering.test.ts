/**
 * Ordering (issue 12: "FIFO per topic and per publisher"; "high-priority events overtake queued
 * lower ones") checked separately per topic and per publisher, not only per (topic, publisher)
 * pair; and the per-topic cache's bound (`topicCacheSize`) under eviction and re-registration.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEventBus, topicMatches, type BusEvent, type EventPriority } from "../../runtime/index.js";

describe("FIFO per topic and per publisher", () => {
  it("async and broadcast events of one priority: every topic's and every publisher's events arrive in emit order (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ topic: fc.constantFrom("a", "a.b", "b.c", "c"), publisher: fc.constantFrom("p1", "p2", "p3"), broadcast: fc.boolean() }), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 16 }),
        async (emits, batchSize) => {
          const b = createEventBus({ batchSize });
          const got: { seq: number; topic: string; publisher: string | undefined }[] = [];
          b.registerEventHandler("**", (e: BusEvent<number>) => void got.push({ seq: e.data, topic: e.type, publisher: e.publisher }));
          emits.forEach((x, seq) => b.emit(x.topic, seq, { mode: x.broadcast ? "broadcast" : "async", publisher: x.publisher }));
          await b.idle();
          expect(got.map((g) => g.seq)).toEqual(emits.map((_, i) => i));
          for (const key of ["topic", "publisher"] as const) {
            const groups = new Map<string | undefined, number[]>();
            for (const g of got) groups.set(g[key], [...(groups.get(g[key]) ?? []), g.seq]);
            for (const [k, seqs] of groups) {
              expect(seqs, `${key} ${k}`).toEqual(emits.flatMap((x, i) => (x[key] === k ? [i] : [])));
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a sync emit made by a handler is delivered at once, ahead of anything still queued", async () => {
    const b = createEventBus();
    const log: string[] = [];
    b.registerEventHandler("q", (e) => {
      log.push(`q${String(e.data)}`);
      if (e.data === 1) b.emit("s", "now");
    });
    b.registerEventHandler("s", (e) => void log.push(`s:${String(e.data)}`));
    for (let i = 1; i <= 3; i++) b.emit("q", i, { mode: "async" });
    await b.idle();
    expect(log).toEqual(["q1", "s:now", "q2", "q3"]);
  });
});

describe("priorities of queued events", () => {
  it("a high-priority event emitted while low ones are being delivered overtakes the rest of them", async () => {
    const b = createEventBus({ batchSize: 256 });
    const log: string[] = [];
    b.registerEventHandler("t.*", (e: BusEvent<string>) => {
      log.push(e.data);
      if (e.data === "low1") {
        b.emit("t.x", "normal-late", { mode: "async" });
        b.emit("t.x", "high-late", { mode: "async", priority: "high" });
      }
    });
    for (let i = 1; i <= 4; i++) b.emit("t.y", `low${i}`, { mode: "async", priority: "low" });
    await b.idle();
    expect(log).toEqual(["low1", "high-late", "normal-late", "low2", "low3", "low4"]);
  });

  it("handler priorities order one event's handlers and subscriptions alike; ties keep registration order", () => {
    const b = createEventBus();
    const log: string[] = [];
    const prios: EventPriority[] = ["low", "normal", "high"];
    prios.forEach((p, i) => {
      const q = prios[(i + 1) % 3]!;
      b.registerEventHandler("x.y", () => void log.push(`h-${p}`), { priority: p });
      b.subscribe({ topic: "x.*" }, () => void log.push(`s-${q}`), { priority: q });
    });
    b.emit("x.y");
    // Registration order: h-low(1) s-normal(2) h-normal(3) s-high(4) h-high(5) s-low(6).
    expect(log).toEqual(["s-high", "h-high", "s-normal", "h-normal", "h-low", "s-low"]);
  });
});

describe("the per-topic cache is bounded", () => {
  it("with topicCacheSize 4, 200 topics in turn are each delivered correctly, across (un)registrations, and the cache never holds more than 4", () => {
    const b = createEventBus({ topicCacheSize: 4 });
    // The bound is what keeps a bus fed with ever-new topics from growing.
    const cacheSize = (): number => b.cachedTopics;
    const counts = new Map<string, number>();
    const patterns = ["t.*", "t.1", "t.**", "**.7"];
    const ids = patterns.map((p) => b.registerEventHandler(p, (e) => void counts.set(`${p}|${e.type}`, (counts.get(`${p}|${e.type}`) ?? 0) + 1)));
    const topics = Array.from({ length: 200 }, (_, i) => `t.${i % 50}`);
    let maxSize = 0;
    for (let round = 0; round < 3; round++) {
      for (const t of topics) {
        b.emit(t);
        maxSize = Math.max(maxSize, cacheSize());
      }
      if (round === 0) b.unregisterEventHandler(ids[1]!);
    }
    expect(maxSize).toBeLessThanOrEqual(4);
    expect(maxSize).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) {
      const t = `t.${i}`;
      for (const p of patterns) {
        const rounds = p === "t.1" ? 1 : 3;
        expect(counts.get(`${p}|${t}`) ?? 0, `${p} ${t}`).toBe(topicMatches(p, t) ? 4 * rounds : 0);
      }
    }
  });
});
