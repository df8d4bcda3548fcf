/**
 * The bus daemon embedded in the test process with real sockets: pub/sub with
 * patterns and daemon-side filters, names and owner-change events, RPC routed
 * by name, refusals reported (never dropped silently).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BusDaemon, connectBus, type BusClient } from "../../runtime/bus/index.js";
import type { BusEvent } from "../../runtime/events/types.js";
import { IPCError } from "../../runtime/errors.js";

let dir: string;
let daemon: BusDaemon;
const clients: BusClient[] = [];

async function client(errors?: IPCError[]): Promise<BusClient> {
  const c = await connectBus(daemon.socket, { onError: (e) => errors?.push(e) });
  clients.push(c);
  return c;
}

function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() > end) reject(new Error("condition not reached in time"));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "nova-bus-"));
  daemon = await BusDaemon.start({ socket: join(dir, "bus.sock") });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close(false).catch(() => undefined);
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("bus daemon: events", () => {
  it("routes by exact topic, `*` and `**`, in publish order, with ids and origin", async () => {
    const pub = await client();
    const sub = await client();
    const exact: BusEvent[] = [];
    const star: string[] = [];
    const glob: string[] = [];
    await sub.registerEventHandler("window.opened", (e) => void exact.push(e));
    await sub.registerEventHandler("window.*", (e) => void star.push(e.type));
    await sub.registerEventHandler("window.**", (e) => void glob.push(e.type));
    for (let i = 0; i < 100; i++) pub.publish("window.opened", { i });
    pub.publish("window.a.b", 1);
    pub.publish("other.thing", 2);
    await until(() => glob.length === 101);
    expect(exact.map((e) => (e.data as { i: number }).i)).toEqual([...Array(100).keys()]);
    expect(star).toHaveLength(100);
    expect(glob.at(-1)).toBe("window.a.b");
    const ids = exact.map((e) => e.origin!.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(100);
    expect(exact[0]!.origin!.source).toBe(pub.id);
    expect(exact[0]!.publisher).toBe(pub.uniqueName);
    expect(exact[0]!.origin!.offset).toBeUndefined();
  });

  it("publishes with changing topics and values larger than the reusable frame buffer", async () => {
    const pub = await client();
    const sub = await client();
    const got: [string, unknown][] = [];
    await sub.registerEventHandler("**", (e) => void got.push([e.type, e.data]));
    const big = "z".repeat(100_000);
    await pub.emit("first.topic", 0); // validates and caches a topic the fast path has not written yet
    pub.publish("first.topic", 1);
    pub.publish("b.yy", { n: 2 });
    pub.publish("a.x", big);
    pub.publish("a.x", 4);
    pub.publish("a.longer.topic", [5]);
    await until(() => got.length === 6);
    expect(got).toEqual([["first.topic", 0], ["first.topic", 1], ["b.yy", { n: 2 }], ["a.x", big], ["a.x", 4], ["a.longer.topic", [5]]]);
    expect(() => pub.publish("bad topic", 1)).toThrow(expect.objectContaining({ code: "InvalidEventType" }));
  });

  it("evaluates filters in the daemon: unwanted events never reach the subscriber's socket", async () => {
    const pub = await client();
    const sub = await client();
    const got: unknown[] = [];
    await sub.registerEventHandler("sensor.*", (e) => void got.push(e.data), { filter: { field: "level", range: { gte: 5 } } });
    const before = sub.channel.status().messagesReceived;
    for (let level = 0; level < 10; level++) pub.publish("sensor.temp", { level });
    await until(() => got.length === 5);
    await pub.emit("sensor.done", { level: 0 }); // an acknowledged emit: everything before it was routed
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([5, 6, 7, 8, 9].map((level) => ({ level })));
    expect(sub.channel.status().messagesReceived - before).toBe(5);
    expect(daemon.stats().deliveries).toBe(5);
  });

  it("acknowledged emit returns the daemon's id; a bad topic is a typed error", async () => {
    const pub = await client();
    const sub = await client();
    const got: BusEvent[] = [];
    await sub.registerEventHandler("a.b", (e) => void got.push(e));
    const receipt = await pub.emit("a.b", "x");
    expect(receipt.offset).toBeUndefined();
    expect(receipt.delivered).toBe(1);
    expect((await pub.emit("nobody.listens", 1)).delivered).toBe(0);
    await until(() => got.length === 1);
    expect(got[0]!.origin!.id).toBe(receipt.id);
    await expect(pub.emit("bad..topic", 1)).rejects.toMatchObject({ code: "InvalidEventType" });
    await expect(pub.emit("nova.bus.fake", 1)).rejects.toMatchObject({ code: "InvalidEventType" });
    await expect(pub.emit("a.b", 1, { persist: true })).rejects.toMatchObject({ code: "InvalidArgument" });
    await expect(sub.registerEventHandler("a.*x", () => undefined)).rejects.toMatchObject({ code: "InvalidEventType" });
  });

  it("tells a publisher when the daemon refuses a fire-and-forget event", async () => {
    const errors: IPCError[] = [];
    const pub = await client(errors);
    // Bypass the client's own check: a raw Event frame with a topic the grammar refuses.
    pub.channel.trySend({ type: "event", messageId: 77n, correlationId: 0n, timestampNs: 0n, body: { eventType: "no spaces", data: 1, sourceId: 0n, priority: 128 } });
    await until(() => errors.length === 1);
    expect(errors[0]!.code).toBe("InvalidEventType");
    expect(daemon.stats().eventsRejected).toBe(1);
  });

  it("unsubscribe stops delivery; unknown ids are SubscriptionNotFound / HandlerNotFound", async () => {
    const pub = await client();
    const sub = await client();
    const got: unknown[] = [];
    const id = await sub.registerEventHandler("t.x", (e) => void got.push(e.data));
    pub.publish("t.x", 1);
    await until(() => got.length === 1);
    await sub.unregisterEventHandler(id);
    await pub.emit("t.x", 2);
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([1]);
    expect(daemon.stats().subscriptions).toBe(0);
    await expect(sub.unregisterEventHandler(id)).rejects.toMatchObject({ code: "HandlerNotFound" });
    await expect(sub.unsubscribe(12345)).rejects.toMatchObject({ code: "SubscriptionNotFound" });
  });
});

describe("bus daemon over named pipes", () => {
  it("routes events between pipe clients like socket clients", async () => {
    const pipeDaemon = await BusDaemon.start({ socket: join(dir, "bus.fifo"), transport: "pipe" });
    try {
      const sub = await connectBus(pipeDaemon.socket, { transport: "pipe" });
      const pub = await connectBus(pipeDaemon.socket, { transport: "pipe" });
      clients.push(sub, pub);
      const got: unknown[] = [];
      await sub.registerEventHandler("p.*", (e) => void got.push(e.data), { filter: { field: "k", eq: 1 } });
      pub.publish("p.x", { k: 0 });
      pub.publish("p.x", { k: 1 });
      await pub.emit("p.x", { k: 1 });
      await until(() => got.length === 2);
      expect(got).toEqual([{ k: 1 }, { k: 1 }]);
    } finally {
      for (const c of clients.splice(0)) await c.close(false).catch(() => undefined);
      await pipeDaemon.close();
    }
  });
});

describe("bus daemon: names and routed calls", () => {
  it("owns names with queueing and announces owner changes", async () => {
    const a = await client();
    const b = await client();
    const watcher = await client();
    const changes: unknown[] = [];
    await watcher.registerEventHandler("nova.bus.nameOwnerChanged", (e) => void changes.push(e.data));
    expect(await a.requestName("org.nova.Clock")).toBe("primary");
    expect(await a.requestName("org.nova.Clock")).toBe("already-owner");
    expect(await b.requestName("org.nova.Clock", { doNotQueue: true })).toBe("exists");
    expect(await b.requestName("org.nova.Clock")).toBe("queued");
    expect(await watcher.getNameOwner("org.nova.Clock")).toBe(a.uniqueName);
    await expect(a.requestName("nodots")).rejects.toMatchObject({ code: "InvalidEndpointName" });
    await a.close();
    await until(() => changes.length === 2);
    expect(changes).toEqual([
      { name: "org.nova.Clock", oldOwner: "", newOwner: a.uniqueName },
      { name: "org.nova.Clock", oldOwner: a.uniqueName, newOwner: b.uniqueName },
    ]);
    expect(await watcher.getNameOwner("org.nova.Clock")).toBe(b.uniqueName);
    expect(await b.releaseName("org.nova.Clock")).toBe("released");
    await expect(watcher.getNameOwner("org.nova.Clock")).rejects.toMatchObject({ code: "EndpointUnreachable" });
  });

  it("routes a call to the owner of a name and the reply back; errors are typed", async () => {
    const service = await client();
    service.server.register({
      iface: "org.nova.Clock",
      version: 1,
      methods: {
        add: { handler: (args) => (args[0] as number) + (args[1] as number) },
        fail: { handler: () => { throw new IPCError("InvalidArgument", "no"); } },
        slow: { handler: () => new Promise((r) => setTimeout(() => r("late"), 10_000)) },
      },
    });
    expect(await service.requestName("org.nova.Clock")).toBe("primary");
    const caller = await client();
    const clock = caller.proxy("org.nova.Clock");
    expect(await clock.call("org.nova.Clock", "add", [2, 3])).toBe(5);
    expect(await caller.proxy(service.uniqueName).call("org.nova.Clock", "add", [1, 1])).toBe(2);
    await expect(clock.call("org.nova.Clock", "fail", [])).rejects.toMatchObject({ code: "InvalidArgument" });
    await expect(clock.call("org.nova.Clock", "nope", [])).rejects.toMatchObject({ code: "MethodNotFound" });
    await expect(caller.proxy("org.nova.Nobody").call("x.y", "z", [])).rejects.toMatchObject({ code: "EndpointUnreachable" });
    const pending = clock.call("org.nova.Clock", "slow", [], { timeoutMs: 20_000 });
    await until(() => daemon.stats().callsInFlight === 1);
    await service.close(false);
    await expect(pending).rejects.toMatchObject({ code: "ChannelClosed" });
    expect(daemon.stats().callsInFlight).toBe(0);
  });

  it("a cancelled routed call is cancelled at the owner", async () => {
    const service = await client();
    let aborted = false;
    service.server.register({
      iface: "org.nova.Wait",
      version: 1,
      methods: {
        wait: {
          handler: (_args, ctx) =>
            new Promise((_r, reject) => ctx.signal.addEventListener("abort", () => { aborted = true; reject(new Error("aborted")); })),
        },
      },
    });
    await service.requestName("org.nova.Wait");
    const caller = await client();
    const ac = new AbortController();
    const p = caller.proxy("org.nova.Wait").call("org.nova.Wait", "wait", [], { signal: ac.signal });
    await until(() => daemon.stats().callsInFlight === 1);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: "Cancelled" });
    await until(() => aborted);
    expect(daemon.stats().callsInFlight).toBe(0);
  });

  it("signals of a served interface reach proxies through the bus", async () => {
    const service = await client();
    service.server.register({ iface: "org.nova.Ticker", version: 1, methods: {} });
    await service.requestName("org.nova.Ticker");
    const caller = await client();
    const got: unknown[] = [];
    caller.proxy("org.nova.Ticker").subscribe("org.nova.Ticker", "tick", (args) => void got.push(args));
    await until(() => daemon.stats().subscriptions === 1);
    // The owner's server learns of the subscription through the routed @nova.subscribe.
    await new Promise((r) => setTimeout(r, 50));
    service.server.emit("org.nova.Ticker", "tick", [1, "a"]);
    await until(() => got.length === 1);
    expect(got[0]).toEqual([1, "a"]);
  });
});

describe("bus client: publish timestamps", () => {
  it("carry the wall clock in ns, increasing, like nowNs()", async () => {
    const { nowNs } = await import("../../runtime/wire/message-id.js");
    const pub = await client();
    const sub = await client();
    const got: bigint[] = [];
    await sub.registerEventHandler("clock.*", (e) => void got.push(e.origin!.timestampNs));
    const before = nowNs();
    for (let i = 0; i < 100; i++) pub.publish("clock.tick", i);
    await until(() => got.length === 100);
    const after = nowNs();
    for (let i = 1; i < got.length; i++) expect(got[i]! >= got[i - 1]!).toBe(true);
    expect(got[0]! >= before - 1000n).toBe(true);
    expect(got[99]! <= after).toBe(true);
  });
});
