/**
 * The bus as a whole against a model: random interleavings of register / unregister / subscribe /
 * emit must call exactly the handlers whose pattern matches, in priority-then-registration order,
 * whatever the topic cache held before (it is invalidated on every (un)registration).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEventBus, topicMatches, type EventPriority } from "../../runtime/index.js";

type Op =
  | { kind: "reg"; pattern: string; priority: EventPriority }
  | { kind: "sub"; pattern: string }
  | { kind: "unreg"; pick: number }
  | { kind: "emit"; topic: string };

const seg = fc.constantFrom("a", "b", "c");
const topicArb = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => s.join("."));
const patternArb = fc.array(fc.constantFrom("a", "b", "c", "*", "**"), { minLength: 1, maxLength: 4 }).map((s) => s.join("."));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("reg" as const), pattern: patternArb, priority: fc.constantFrom<EventPriority>("high", "normal", "low") }),
  fc.record({ kind: fc.constant("sub" as const), pattern: patternArb }),
  fc.record({ kind: fc.constant("unreg" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("emit" as const), topic: topicArb }),
  fc.record({ kind: fc.constant("emit" as const), topic: topicArb }),
);
const RANK = { high: 0, normal: 1, low: 2 } as const;

describe("EventBus against a model (property)", () => {
  it("delivers each emit to exactly the matching live handlers, in priority then registration order", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const bus = createEventBus({ onHandlerError: (e) => { throw e; } });
        const live: { id: number; pattern: string; rank: number; sub: boolean }[] = [];
        let calls: number[] = [];
        for (const op of ops) {
          if (op.kind === "reg") {
            const id: number = bus.registerEventHandler(op.pattern, () => void calls.push(id), { priority: op.priority });
            live.push({ id, pattern: op.pattern, rank: RANK[op.priority], sub: false });
          } else if (op.kind === "sub") {
            const id: number = bus.subscribe({ topic: op.pattern }, () => void calls.push(id));
            live.push({ id, pattern: op.pattern, rank: 1, sub: true });
          } else if (op.kind === "unreg") {
            if (live.length === 0) continue;
            const [h] = live.splice(op.pick % live.length, 1);
            if (h!.sub) bus.unsubscribe(h!.id);
            else bus.unregisterEventHandler(h!.id);
          } else {
            calls = [];
            bus.emit(op.topic);
            const want = live
              .filter((h) => topicMatches(h.pattern, op.topic))
              .sort((x, y) => x.rank - y.rank || x.id - y.id)
              .map((h) => h.id);
            expect(calls).toEqual(want);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

// Topic names a plain-object cache would find on Object.prototype, numeric ones (array-index keys),
// and ordinary ones; long emit runs so the memo is switched off (16 misses) and on again.
const trickySeg = fc.constantFrom("a", "b", "constructor", "__proto__", "toString", "hasOwnProperty", "0", "1");
const trickyTopic = fc.array(trickySeg, { minLength: 1, maxLength: 2 }).map((s) => s.join("."));
const trickyPattern = fc.array(fc.constantFrom("a", "constructor", "__proto__", "0", "*", "**"), { minLength: 1, maxLength: 2 }).map((s) => s.join("."));

describe("the topic cache and memo against a model (property)", () => {
  it("long runs of emits over rotating and repeating topics, with names like `constructor`, `__proto__` and `0`, reach exactly the matching handlers", () => {
    const emitRun = fc.record({ kind: fc.constant("emits" as const), topics: fc.array(trickyTopic, { minLength: 1, maxLength: 60 }), repeat: fc.integer({ min: 1, max: 3 }) });
    const reg = fc.record({ kind: fc.constant("reg" as const), pattern: trickyPattern });
    const unreg = fc.record({ kind: fc.constant("unreg" as const), pick: fc.nat() });
    fc.assert(
      fc.property(fc.array(fc.oneof(emitRun, emitRun, reg, unreg), { minLength: 1, maxLength: 20 }), (ops) => {
        const bus = createEventBus({ topicCacheSize: 8 });
        const live: { id: number; pattern: string }[] = [];
        let calls: number[] = [];
        for (const op of ops) {
          if (op.kind === "reg") {
            const id: number = bus.registerEventHandler(op.pattern, () => void calls.push(id));
            live.push({ id, pattern: op.pattern });
          } else if (op.kind === "unreg") {
            if (live.length === 0) continue;
            bus.unregisterEventHandler(live.splice(op.pick % live.length, 1)[0]!.id);
          } else {
            for (const topic of op.topics) {
              for (let r = 0; r < op.repeat; r++) {
                calls = [];
                bus.emit(topic);
                expect(calls, topic).toEqual(live.filter((h) => topicMatches(h.pattern, topic)).map((h) => h.id));
              }
            }
          }
        }
        expect(bus.cachedTopics).toBeLessThanOrEqual(8);
      }),
      { numRuns: 200 },
    );
  });
});
