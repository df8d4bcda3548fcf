/**
 * Issue 12 item 3: the daemon serves 10,000 connections. The daemon runs in
 * its own process (dist/, as `nova bus` would); this process opens 10,000
 * connections, each subscribing to its own topic and to a shared wildcard,
 * then checks that a broadcast reaches every one exactly once and that an
 * event to one topic reaches only its subscriber.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectBus } from "../../runtime/bus/index.js";
import { createChannel } from "../../runtime/transport/create-channel.js";
import type { Channel } from "../../runtime/transport/types.js";

const CONNECTIONS = 10_000;
const DIST_INDEX = resolve(import.meta.dirname, "../../dist/runtime/index.js");
let dir: string;
let child: ChildProcess;
let socket: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "nova-bus-10k-"));
  socket = join(dir, "bus.sock");
  const script = `const { BusDaemon } = await import(${JSON.stringify(DIST_INDEX)}); const d = await BusDaemon.start({ socket: process.argv[1] }); console.log(d.socket);`;
  child = spawn(process.execPath, ["--input-type=module", "-e", script, socket], { stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once("line", res);
    child.once("exit", (code) => rej(new Error(`daemon exited with ${code}`)));
  });
  expect(first).toBe(socket);
});

afterAll(async () => {
  child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

it("serves 10,000 connections: a broadcast reaches each exactly once, a targeted event only its subscriber", { timeout: 180_000 }, async () => {
  const channels: Channel[] = [];
  const counts = new Int32Array(CONNECTIONS);
  const own = new Int32Array(CONNECTIONS);
  try {
    const connect = async (i: number): Promise<void> => {
      const ch = await createChannel(socket, "unix");
      channels.push(ch);
      ch.setHandler({
        onMessage: (m) => {
          if (m.type !== "event") return;
          if (m.body.eventType === "all.ping") counts[i]!++;
          else if (m.body.eventType === `one.c${i}`) own[i]!++;
        },
      });
      // Oneway subscribes (flag 1): no reply to wait for, the daemon handles them in order.
      ch.trySend({ type: "request", messageId: 1n, correlationId: 0n, timestampNs: 0n, body: { method: "@bus.subscribe", params: ["all.*", null], timeoutMs: 0, flags: 1 } });
      ch.trySend({ type: "request", messageId: 2n, correlationId: 0n, timestampNs: 0n, body: { method: "@bus.subscribe", params: [`one.c${i}`, null], timeoutMs: 0, flags: 1 } });
    };
    // 100 connects in flight at a time (the listen backlog is finite).
    for (let i = 0; i < CONNECTIONS; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => connect(i + k)));
    const pub = await connectBus(socket);
    const stats = await pub.stats();
    expect(stats.connections).toBe(CONNECTIONS + 1);
    expect(stats.subscriptions).toBe(2 * CONNECTIONS);
    await pub.emit("all.ping", { hello: "everyone" });
    await pub.emit("one.c4242", 1);
    const deadline = Date.now() + 60_000;
    while (counts.some((c) => c === 0) || own[4242] === 0) {
      if (Date.now() > deadline) throw new Error(`${counts.filter((c) => c === 0).length} connections got nothing`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await pub.emit("all.done", null); // routed after the events above: no late duplicates can follow
    await new Promise((r) => setTimeout(r, 200));
    expect(counts.every((c) => c === 1)).toBe(true);
    expect(own.reduce((a, b) => a + b, 0)).toBe(1);
    expect(own[4242]).toBe(1);
    const after = await pub.stats();
    expect(after.deliveries - stats.deliveries).toBe(2 * CONNECTIONS + 1);
    process.stderr.write(`10k connections: daemon RSS ${rssMiB(child.pid!)} MiB\n`);
    await pub.close();
  } finally {
    for (const ch of channels) ch.close(false).catch(() => undefined);
  }
});
