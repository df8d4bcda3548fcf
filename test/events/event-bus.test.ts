/**
 * Event bus conformance (spec 5.1.2 operations and errors, 6.2.3): patterns, priorities,
 * filters, subscriptions, ordering, queues and limits, and 10,000 handlers.
 * Handler isolation, timeouts and retries are in handler-isolation.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createEventBus, type BusEvent, type EventBus, type EventFilter } from "../../runtime/index.js";
import { thrownCode } from "../helpers/ipc-error.js";

/** A bus whose handler errors fail the test loudly instead of becoming process warnings. */
function bus(options: Parameters<typeof createEventBus>[0] = {}): EventBus {
  return createEventBus({ onHandlerError: (e) => { throw e; }, ...options });
}

/** Registers a handler recording `tag:type:data` into `log`. */
function rec(b: EventBus, pattern: string, log: string[], tag = pattern, opts = {}): number {
  return b.registerEventHandler(pattern, (e: BusEvent) => void log.push(`${tag}:${e.type}:${String(e.data)}`), opts);
}

describe("registerEventHandler / emit: patterns", () => {
  it("routes exact topics, `*` and `**` (zero or more segments) and nothing else", () => {
    const b = bus();
    const log: string[] = [];
    for (const p of ["window.focused", "window.*", "window.**", "**", "*.closed", "settings.**"]) rec(b, p, log);
    b.emit("window.focused", 1);
    b.emit("window", 2);
    b.emit("window.a.b", 3);
    b.emit("tab.closed", 4);
    expect(log).toEqual([
      "window.focused:window.focused:1", "window.*:window.focused:1", "window.**:window.focused:1", "**:window.focused:1",
      "window.**:window:2", "**:window:2",
      "window.**:window.a.b:3", "**:window.a.b:3",
      "**:tab.closed:4", "*.closed:tab.closed:4",
    ]);
  });

  it("emit returns increasing EventIDs; the handler sees its own id, type, data, priority, mode and publisher", () => {
    const b = bus();
    const seen: BusEvent[] = [];
    b.registerEventHandler("a.b", (e) => void seen.push(e));
    const id1 = b.emit("a.b", { x: 1 });
    const id2 = b.emit("a.b", "y", { priority: "high", publisher: "p1" });
    expect(id2).toBeGreaterThan(id1);
    expect(seen).toEqual([
      { id: id1, type: "a.b", data: { x: 1 }, priority: "normal", mode: "sync", publisher: undefined },
      { id: id2, type: "a.b", data: "y", priority: "high", mode: "sync", publisher: "p1" },
    ]);
    expect(b.emit("nobody.listens")).toBe(id2 + 1);
  });

  it("invalid patterns and topics are InvalidEventType; nothing is registered", () => {
    const b = bus();
    for (const p of ["", "win*", "a..b", "a.***"]) expect(thrownCode(() => b.registerEventHandler(p, () => {}))).toBe("InvalidEventType");
    for (const t of ["", "window.*", "a..b", 7 as unknown as string]) expect(thrownCode(() => b.emit(t, 1))).toBe("InvalidEventType");
    expect(b.handlerCount).toBe(0);
  });

  it("a handler registered or removed after a topic was cached is seen by the next emit (cache invalidation)", () => {
    const b = bus();
    const log: string[] = [];
    rec(b, "a.b", log, "1");
    b.emit("a.b", 0);
    const id = rec(b, "a.*", log, "2");
    b.emit("a.b", 1);
    b.unregisterEventHandler(id);
    b.emit("a.b", 2);
    expect(log).toEqual(["1:a.b:0", "1:a.b:1", "2:a.b:1", "1:a.b:2"]);
  });
});

describe("priorities", () => {
  it("High, Normal and Low order the handlers of one event; ties keep registration order", () => {
    const b = bus();
    const log: string[] = [];
    rec(b, "x", log, "n1");
    rec(b, "**", log, "l1", { priority: "low" });
    rec(b, "x", log, "h1", { priority: "high" });
    rec(b, "*", log, "n2", { priority: "normal" });
    rec(b, "x", log, "h2", { priority: "high" });
    b.emit("x", 0);
    expect(log.map((l) => l.split(":")[0])).toEqual(["h1", "h2", "n1", "n2", "l1"]);
  });

  it("a queued high-priority async event overtakes queued normal and low ones; FIFO within a priority", async () => {
    const b = bus();
    const log: string[] = [];
    rec(b, "**", log, "h");
    b.emit("t.a", "low1", { mode: "async", priority: "low" });
    b.emit("t.b", "n1", { mode: "async" });
    b.emit("t.a", "n2", { mode: "async", priority: "normal", publisher: "p" });
    b.emit("t.c", "high1", { mode: "async", priority: "high" });
    b.emit("t.a", "high2", { mode: "broadcast", priority: "high" });
    expect(log).toEqual([]);
    await b.idle();
    expect(log.map((l) => l.split(":")[2])).toEqual(["high1", "high2", "n1", "n2", "low1"]);
  });

  it("unknown priorities and modes are InvalidArgument", () => {
    const b = bus();
    expect(thrownCode(() => b.emit("a", 1, { priority: "urgent" as never }))).toBe("InvalidArgument");
    expect(thrownCode(() => b.emit("a", 1, { mode: "later" as never }))).toBe("InvalidArgument");
    expect(thrownCode(() => b.registerEventHandler("a", () => {}, { priority: "top" as never }))).toBe("InvalidArgument");
  });
});

describe("ordering and batching", () => {
  it("FIFO per topic and per publisher across 5,000 async events from three publishers", async () => {
    const b = bus();
    const got = new Map<string, number[]>();
    b.registerEventHandler("**", (e: BusEvent<number>) => {
      const k = `${e.type}/${e.publisher}`;
      got.set(k, [...(got.get(k) ?? []), e.data]);
    });
    for (let i = 0; i < 5000; i++) b.emit(`t.${i % 3}`, i, { mode: "async", publisher: `p${i % 5}` });
    await b.idle();
    let total = 0;
    for (const seq of got.values()) {
      total += seq.length;
      expect(seq).toEqual([...seq].sort((x, y) => x - y));
    }
    expect(total).toBe(5000);
  });

  it("async events are delivered in batches of batchSize per event-loop turn (the loop is not starved)", async () => {
    const b = bus({ batchSize: 10 });
    let delivered = 0;
    b.registerEventHandler("a", () => void delivered++);
    for (let i = 0; i < 35; i++) b.emit("a", i, { mode: "async" });
    const perTurn: number[] = [];
    // setImmediate callbacks queued after the bus's run after its batch on the same turn.
    for (let turn = 0; turn < 4; turn++) {
      await new Promise((r) => setImmediate(r));
      perTurn.push(delivered);
    }
    expect(perTurn).toEqual([10, 20, 30, 35]);
  });

  it("broadcast delivers a JSON copy; data JSON cannot carry is SerializationError and is not queued", async () => {
    const b = bus();
    const seen: unknown[] = [];
    b.registerEventHandler("a", (e) => void seen.push(e.data));
    const data = { n: 1, when: new Date(0) };
    b.emit("a", data, { mode: "broadcast" });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(thrownCode(() => b.emit("a", { big: 1n }, { mode: "broadcast" }))).toBe("SerializationError");
    expect(thrownCode(() => b.emit("a", cyclic, { mode: "broadcast" }))).toBe("SerializationError");
    expect(thrownCode(() => b.emit("a", () => 1, { mode: "broadcast" }))).toBe("SerializationError");
    expect(b.queuedEvents).toBe(1);
    await b.idle();
    expect(seen).toEqual([{ n: 1, when: "1970-01-01T00:00:00.000Z" }]);
    expect(seen[0]).not.toBe(data);
  });
});

describe("filters on handlers", () => {
  it("a handler only sees events passing its filter", () => {
    const b = bus();
    const log: string[] = [];
    const filter: EventFilter = { and: [{ field: "ws", in: [1, 2] }, { not: { field: "app", prefix: "internal." } }] };
    b.registerEventHandler("window.*", (e: BusEvent<{ app: string }>) => void log.push(e.data.app), { filter });
    b.emit("window.opened", { ws: 1, app: "term" });
    b.emit("window.opened", { ws: 3, app: "edit" });
    b.emit("window.opened", { ws: 2, app: "internal.panel" });
    b.emit("window.opened", "not an object");
    expect(log).toEqual(["term"]);
  });

  it("a bad filter is InvalidFilter at registration and registers nothing", () => {
    const b = bus();
    expect(thrownCode(() => b.registerEventHandler("a", () => {}, { filter: { field: "x", like: 1 } as never }))).toBe("InvalidFilter");
    expect(b.handlerCount).toBe(0);
  });
});

describe("subscribe / unsubscribe", () => {
  it("a subscription receives the events its filter (topic and fields) selects", () => {
    const b = bus();
    const got: string[] = [];
    const id = b.subscribe({ and: [{ topic: "notify.**" }, { field: "level", range: { gte: 2 } }] }, (e: BusEvent<{ level: number }>) => void got.push(`${e.type}/${e.data.level}`));
    const all: string[] = [];
    b.subscribeToEvents({ field: "level", exists: true }, (e) => void all.push(e.type));
    b.emit("notify.mail", { level: 1 });
    b.emit("notify.mail.urgent", { level: 3 });
    b.emit("window.opened", { level: 5 });
    expect(got).toEqual(["notify.mail.urgent/3"]);
    expect(all).toEqual(["notify.mail", "notify.mail.urgent", "window.opened"]);
    b.unsubscribe(id);
    b.emit("notify.mail.urgent", { level: 4 });
    expect(got).toHaveLength(1);
    expect(b.subscriptionCount).toBe(1);
  });

  it("errors: InvalidFilter, SubscriptionNotFound (also for a handler id), TooManySubscriptions", () => {
    const b = bus({ maxSubscriptions: 2 });
    expect(thrownCode(() => b.subscribe({ topic: "a.b*" }, () => {}))).toBe("InvalidFilter");
    const hid = b.registerEventHandler("a", () => {});
    expect(thrownCode(() => b.unsubscribe(hid))).toBe("SubscriptionNotFound");
    expect(thrownCode(() => b.unsubscribeFromEvents(999))).toBe("SubscriptionNotFound");
    const s1 = b.subscribe({ topic: "a" }, () => {});
    b.subscribe({ topic: "a" }, () => {});
    expect(thrownCode(() => b.subscribe({ topic: "a" }, () => {}))).toBe("TooManySubscriptions");
    b.unsubscribe(s1);
    expect(thrownCode(() => b.unsubscribe(s1))).toBe("SubscriptionNotFound");
    b.subscribe({ topic: "a" }, () => {});
  });
});

describe("operation errors of spec 5.1.2", () => {
  it("HandlerAlreadyRegistered: the same function on the same pattern (a different pattern is fine)", () => {
    const b = bus();
    const f = (): void => {};
    b.registerEventHandler("a.*", f);
    expect(thrownCode(() => b.registerEventHandler("a.*", f))).toBe("HandlerAlreadyRegistered");
    b.registerEventHandler("a.b", f);
    expect(b.handlerCount).toBe(2);
  });

  it("HandlerNotFound: unknown id, twice, or a subscription id", () => {
    const b = bus();
    const id = b.registerEventHandler("a", () => {});
    const sid = b.subscribe({ topic: "a" }, () => {});
    expect(thrownCode(() => b.unregisterEventHandler(12345))).toBe("HandlerNotFound");
    expect(thrownCode(() => b.unregisterEventHandler(sid))).toBe("HandlerNotFound");
    b.unregisterEventHandler(id);
    expect(thrownCode(() => b.unregisterEventHandler(id))).toBe("HandlerNotFound");
  });

  it("TooManyHandlers at the configured limit; unregistering frees a slot", () => {
    const b = bus({ maxHandlers: 3 });
    const ids = [0, 1, 2].map((i) => b.registerEventHandler(`t${i}`, () => {}));
    expect(thrownCode(() => b.registerEventHandler("t9", () => {}))).toBe("TooManyHandlers");
    b.unregisterEventHandler(ids[0]!);
    b.registerEventHandler("t9", () => {});
  });

  it("NoHandlersRegistered only when the emitter asks for a handler", () => {
    const b = bus();
    expect(thrownCode(() => b.emit("a.b", 1, { requireHandlers: true }))).toBe("NoHandlersRegistered");
    expect(thrownCode(() => b.emitEvent("a.b", 1, { mode: "async", requireHandlers: true }))).toBe("NoHandlersRegistered");
    expect(b.queuedEvents).toBe(0);
    b.emit("a.b", 1);
    b.registerEventHandler("a.*", () => {});
    b.emit("a.b", 1, { requireHandlers: true });
  });

  it("EventQueueFull past maxQueuedEvents; the queue takes events again once drained", async () => {
    const b = bus({ maxQueuedEvents: 3 });
    b.registerEventHandler("a", () => {});
    for (let i = 0; i < 3; i++) b.emit("a", i, { mode: "async" });
    expect(thrownCode(() => b.emit("a", 3, { mode: "async" }))).toBe("EventQueueFull");
    expect(thrownCode(() => b.emit("a", 3, { mode: "broadcast", priority: "high" }))).toBe("EventQueueFull");
    b.emit("a", "sync is not queued");
    await b.idle();
    b.emit("a", 4, { mode: "async" });
    expect(b.clearQueue()).toBe(1);
  });

  it("the defaults are the spec's: 10,000 handlers", () => {
    const b = bus();
    for (let i = 0; i < 10_000; i++) b.registerEventHandler(`h.t${i}`, () => {});
    expect(thrownCode(() => b.registerEventHandler("h.one.more", () => {}))).toBe("TooManyHandlers");
  });
});

describe("10,000 handlers", () => {
  it("each of 10,000 handlers on distinct topics gets exactly its own events, wildcards still match", () => {
    const b = bus();
    const hits = new Uint32Array(10_000);
    for (let i = 0; i < 9_999; i++) b.registerEventHandler(`app.t${i}.changed`, () => void hits[i]!++);
    let wild = 0;
    b.registerEventHandler("app.*.changed", () => void wild++);
    expect(b.handlerCount).toBe(10_000);
    for (let i = 0; i < 9_999; i += 7) b.emit(`app.t${i}.changed`, i);
    b.emit("app.t4242.changed", 0);
    b.emit("app.nobody.changed", 0);
    expect(hits[4242]).toBe(2);
    expect(hits[1]).toBe(0);
    expect(hits.reduce((s, n) => s + n, 0)).toBe(Math.ceil(9_999 / 7) + 1);
    expect(wild).toBe(Math.ceil(9_999 / 7) + 2);
  });

  it("an unrelated topic is not slowed by 10,000 handlers (generous bound: within 4x of a bus with one handler)", () => {
    const time = (b: EventBus): number => {
      let best = Infinity;
      for (let r = 0; r < 5; r++) {
        const t = process.hrtime.bigint();
        for (let i = 0; i < 200_000; i++) b.emit("window.focused", i);
        best = Math.min(best, Number(process.hrtime.bigint() - t));
      }
      return best;
    };
    let sink = 0;
    const small = bus();
    small.registerEventHandler("window.focused", (e) => void (sink += e.data as number));
    const big = bus();
    big.registerEventHandler("window.focused", (e) => void (sink += e.data as number));
    for (let i = 0; i < 9_999; i++) big.registerEventHandler(`app.t${i}.changed`, () => {});
    const base = time(small);
    expect(time(big)).toBeLessThan(base * 4 + 5_000_000);
    expect(sink).toBeGreaterThan(0);
  });
});
