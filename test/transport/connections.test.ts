/**
 * Scalability (spec 3.2.3, 6.1.1): one server process holds and serves 1,000
 * concurrent connections, each completing calls while all are open; the
 * connection limit refuses the next one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRpc } from "../../runtime/rpc/connect.js";
import type { RpcClient } from "../../runtime/rpc/rpc-client.js";
import { createChannel, listen } from "../../runtime/transport/index.js";
import { IPCError } from "../../runtime/errors.js";
import { endpointIn, makeTempDir, removeDir, spawnPeer, type Peer } from "./helpers.js";

/** Connects `count` clients, `parallel` at a time. */
async function connectMany(endpoint: string, transport: "unix" | "pipe", count: number, parallel: number): Promise<RpcClient[]> {
  const clients: RpcClient[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, () => connectRpc(endpoint, { transport, timeoutMs: 20_000 }));
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

describe("many connections", () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir();
  });
  afterAll(() => removeDir(dir));

  it.each([
    ["unix", 1000],
    ["pipe", 1000],
  ] as const)("%s: a server process holds and serves %i concurrent connections", async (transport, count) => {
    const endpoint = endpointIn(dir, transport, `many-${transport}`);
    let peer: Peer | undefined;
    let clients: RpcClient[] = [];
    try {
      peer = await spawnPeer("test/bench/rpc-peer.js", [transport, endpoint]);
      clients = await connectMany(endpoint, transport, count, 100);
      expect(clients.length).toBe(count);
      // Every connection is open at once; each completes two calls.
      for (let round = 0; round < 2; round++) {
        const results = await Promise.all(clients.map((c, i) => c.call("nova.bench.Echo", "echo", [`${round}:${i}`])));
        expect(results).toEqual(clients.map((_, i) => `${round}:${i}`));
      }
      expect(clients.every((c) => !c.channel.closed)).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.close(false).catch(() => undefined)));
      await peer?.kill();
    }
  }, 60_000);

  it("refuses connections beyond maxConnections", async () => {
    const endpoint = endpointIn(dir, "unix", "limited");
    const listener = await listen(endpoint, "unix", { maxConnections: 2 });
    try {
      const a = await createChannel(endpoint, "unix");
      const b = await createChannel(endpoint, "unix");
      const c = await createChannel(endpoint, "unix");
      const reason = await c.closedPromise;
      expect(c.closed).toBe(true);
      expect(reason === undefined || reason instanceof IPCError).toBe(true);
      expect(listener.connections.size).toBe(2);
      await a.close(false);
      await b.close(false);
    } finally {
      await listener.close(false);
    }
  });
});
