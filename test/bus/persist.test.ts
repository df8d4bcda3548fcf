/**
 * The daemon with an event log: persistent emits are acknowledged with their
 * offset once durable, configured topics are persisted, and a subscription can
 * replay from an offset or a time before going live, without gaps or repeats.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BusDaemon, connectBus, type BusClient } from "../../runtime/bus/index.js";
import type { BusEvent } from "../../runtime/events/types.js";
import { EventLog } from "../../runtime/events/log/event-log.js";

let dir: string;
let daemon: BusDaemon;
const clients: BusClient[] = [];

async function client(): Promise<BusClient> {
  const c = await connectBus(daemon.socket);
  clients.push(c);
  return c;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "nova-bus-log-"));
  daemon = await BusDaemon.start({ socket: join(dir, "bus.sock"), log: join(dir, "log"), persistTopics: ["audit.**"] });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close(false).catch(() => undefined);
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("bus daemon with an event log", () => {
  it("acknowledges persistent emits with consecutive offsets; live subscribers see the offsets", async () => {
    const pub = await client();
    const sub = await client();
    const got: BusEvent[] = [];
    await sub.registerEventHandler("app.**", (e) => void got.push(e));
    const receipts = [];
    for (let i = 0; i < 5; i++) receipts.push(await pub.emit("app.saved", { i }, { persist: true }));
    expect(receipts.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    await pub.emit("app.transient", {}); // not persisted: no offset
    await until(() => got.length === 6);
    expect(got.map((e) => e.origin!.offset)).toEqual([0, 1, 2, 3, 4, undefined]);
    expect(got.slice(0, 5).map((e) => e.origin!.id)).toEqual(receipts.map((r) => r.id));
  });

  it("persists topics of the daemon's configuration, also from fire-and-forget publishes", async () => {
    const pub = await client();
    for (let i = 0; i < 20; i++) pub.publish("audit.login", { i });
    await pub.emit("barrier.x", null);
    await until(() => daemon.stats().eventsPersisted === 20);
    await daemon.close();
    const log = await EventLog.open(join(dir, "log"));
    const seen = [];
    for await (const rec of log.replay()) seen.push((rec.event.body.data as { i: number }).i);
    await log.close();
    expect(seen).toEqual([...Array(20).keys()]);
    daemon = await BusDaemon.start({ socket: join(dir, "bus.sock"), log: join(dir, "log") });
  });

  it("replays from an offset, then continues live, with no gap and no repeat", async () => {
    const pub = await client();
    for (let i = 0; i < 50; i++) await pub.emit("audit.step", { i }, { persist: true });
    const sub = await client();
    const got: number[] = [];
    const offsets: (number | undefined)[] = [];
    await sub.registerEventHandler(
      "audit.*",
      (e) => {
        got.push((e.data as { i: number }).i);
        offsets.push(e.origin!.offset);
      },
      { fromOffset: 10, filter: { field: "i", range: { lt: 1000 } } },
    );
    // Live events published while the replay may still be running.
    for (let i = 50; i < 60; i++) pub.publish("audit.step", { i });
    await until(() => got.length === 50);
    expect(got).toEqual([...Array(50).keys()].map((k) => k + 10));
    expect(offsets).toEqual(got);
    await expect(sub.registerEventHandler("x.y", () => undefined)).rejects.toMatchObject({ code: "InvalidArgument" });
  });

  it("replays from a time", async () => {
    const pub = await client();
    await pub.emit("audit.old", 1, { persist: true });
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await pub.emit("audit.new", 2, { persist: true });
    const sub = await client();
    const got: unknown[] = [];
    await sub.registerEventHandler("audit.**", (e) => void got.push(e.data), { since });
    await until(() => got.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([2]);
  });

  it("event ids stay unique across a restart", async () => {
    const pub = await client();
    const first = await pub.emit("audit.a", 1, { persist: true });
    await pub.close();
    clients.length = 0;
    await daemon.close();
    daemon = await BusDaemon.start({ socket: join(dir, "bus.sock"), log: join(dir, "log") });
    const again = await client();
    const second = await again.emit("audit.b", 2, { persist: true });
    expect(second.id).toBeGreaterThan(first.id);
    expect(second.offset).toBe(1);
  });

  it("refuses a bad persistTopics pattern before it listens or opens the log (nothing left open)", async () => {
    const socket = join(dir, "other.sock");
    await expect(BusDaemon.start({ socket, log: join(dir, "other-log"), persistTopics: ["audit.**", "a..b"] })).rejects.toMatchObject({ code: "InvalidEventType" });
    // A listener left open would keep the process alive (how `nova bus --persist a..b` hung).
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(join(dir, "other-log"))).toBe(false);
  });
});
