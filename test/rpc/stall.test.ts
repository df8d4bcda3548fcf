/**
 * Issue 11 item 7: a peer sending zstd bombs and half-sent frames does not
 * stall other clients of the same server. The server (test/bench/rpc-peer.ts)
 * and the hostile client (test/bench/hostile-peer.ts) are separate
 * processes; this process is a well-behaved client that measures its call
 * latency before and while the hostile one runs.
 *
 * Before the fix the server decompressed zstd on its event loop (a helper
 * thread plus Atomics.wait): every bomb froze it for the whole
 * decompression, and the well-behaved client's calls waited behind them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRpc } from "../../runtime/rpc/connect.js";
import type { RpcClient } from "../../runtime/rpc/rpc-client.js";
import { endpointIn, makeTempDir, removeDir, spawnPeer, type Peer } from "../transport/helpers.js";

/** Latencies (ms) of back-to-back echo calls for `ms` milliseconds, sorted. */
async function latencies(client: RpcClient, ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  for (let i = 0; performance.now() < end; i++) {
    const t = performance.now();
    await client.call("nova.bench.Echo", "echo", [i], { timeoutMs: 10_000 });
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

function pct(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

describe("a hostile peer does not stall the server's other clients", () => {
  let dir: string;
  let server: Peer;
  let hostile: Peer | undefined;
  let client: RpcClient;
  let endpoint: string;

  beforeAll(async () => {
    dir = makeTempDir();
    endpoint = endpointIn(dir, "unix");
    server = await spawnPeer("test/bench/rpc-peer.js", ["unix", endpoint]);
    client = await connectRpc(endpoint, { transport: "unix" });
  }, 60_000);
  afterAll(async () => {
    await hostile?.kill();
    await client?.close(false).catch(() => undefined);
    await server?.kill();
    removeDir(dir);
  });

  it("zstd bombs and half-sent frames add at most a few ms to a well-behaved client's calls", async () => {
    await latencies(client, 300); // warm up both processes
    const quiet = await latencies(client, 1500);
    hostile = await spawnPeer("test/bench/hostile-peer.js", [endpoint]);
    let replyBytes = 0;
    hostile.child.stdout!.on("data", (chunk: Buffer) => {
      for (const m of chunk.toString().matchAll(/replies (\d+)/g)) replyBytes = Number(m[1]);
    });
    await new Promise((r) => setTimeout(r, 300));
    const before = replyBytes;
    const loud = await latencies(client, 2500);
    await new Promise((r) => setTimeout(r, 300));
    // The bombs were served meanwhile (each gets an error reply of ~150 bytes).
    const served = replyBytes - before;
    const report = {
      quiet: { n: quiet.length, p50: pct(quiet, 0.5), p99: pct(quiet, 0.99) },
      loud: { n: loud.length, p50: pct(loud, 0.5), p99: pct(loud, 0.99) },
      bombReplyBytes: served,
    };
    if (process.env.STALL_REPORT) console.log(JSON.stringify(report));
    // The hostile peer is still connected and flooding (the server is alive and answering).
    expect(hostile.child.exitCode).toBeNull();
    expect(served, JSON.stringify(report)).toBeGreaterThan(5 * 100);
    // A busy 2-core machine adds scheduling noise to both phases; a blocked event loop adds tens of ms per bomb.
    expect(report.loud.p50 - report.quiet.p50, JSON.stringify(report)).toBeLessThan(5);
    expect(report.loud.p99 - report.quiet.p99, JSON.stringify(report)).toBeLessThan(20);
  }, 60_000);
});
