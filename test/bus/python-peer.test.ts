/**
 * idl/WIRE.md §12 is enough to write a bus client in another language: the
 * Python peer (test/fixtures/wire/nova_bus_peer.py, standard library only,
 * written from the page) subscribes with a pattern and a filter the daemon
 * evaluates, and publishes an event a Node subscriber receives, in both
 * payload formats.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BusDaemon, connectBus, type BusClient } from "../../runtime/bus/index.js";
import type { BusEvent } from "../../runtime/events/types.js";

const PEER = resolve(import.meta.dirname, "../fixtures/wire/nova_bus_peer.py");
let dir: string;
let daemon: BusDaemon;
const clients: BusClient[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "nova-bus-py-"));
  daemon = await BusDaemon.start({ socket: join(dir, "bus.sock") });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close(false).catch(() => undefined);
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(["json", "msgpack"])("a Python bus peer (%s)", (format) => {
  it("subscribes with a daemon-side filter and publishes to Node", { timeout: 30_000 }, async () => {
    const sub = await connectBus(daemon.socket);
    const pub = await connectBus(daemon.socket);
    clients.push(sub, pub);
    const fromPython: BusEvent[] = [];
    await sub.registerEventHandler("py.*", (e) => void fromPython.push(e));
    const child = spawn("/usr/bin/python3", [PEER, daemon.socket, format, "node.*", JSON.stringify({ field: "n", range: { gte: 2 } }), "3", "py.hello"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout });
    const readyLine = await new Promise<string>((res, rej) => {
      rl.once("line", res);
      child.once("exit", (code) => rej(new Error(`peer exited ${code}: ${stderr}`)));
    });
    expect(readyLine).toMatch(/^ready \d+$/);
    const pyId = Number(readyLine.split(" ")[1]);
    rl.on("line", (l) => lines.push(l));
    for (let n = 0; n < 5; n++) pub.publish("node.tick", { n });
    const code = await new Promise<number | null>((res) => child.once("exit", res));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const got = lines.map((l) => JSON.parse(l) as { topic: string; data: { n: number }; source: string; correlation: string });
    expect(got.map((g) => g.data.n)).toEqual([2, 3, 4]);
    expect(got.every((g) => g.topic === "node.tick" && g.source === String(pub.id) && g.correlation === "0")).toBe(true);
    const end = Date.now() + 5000;
    while (fromPython.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(fromPython.map((e) => [e.type, e.data, e.origin?.source])).toEqual([["py.hello", { from: "python" }, pyId]]);
  });
});
