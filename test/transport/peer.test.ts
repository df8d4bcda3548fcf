/**
 * Peer credentials and the re-wrapped accepted sockets of the unix listener:
 * the server learns who connected (SO_PEERCRED, kernel-recorded, so a client
 * cannot lie about it), handlers see it as `context.peer`, and adoptAccepted
 * falls back to Node's own socket whenever it cannot take one over.
 */
import { createServer, connect, Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectRpc, serveRpc } from "../../runtime/rpc/connect.js";
import { createChannel, listen } from "../../runtime/transport/create-channel.js";
import { adoptAccepted } from "../../runtime/transport/socket-reader.js";
import type { Channel } from "../../runtime/transport/types.js";
import { channelPairScript, dataOf, endpointIn, eventMessage, makeTempDir, removeDir, ROOT, runModuleScript } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => removeDir(dir));

describe("unix listener: peer credentials", () => {
  it("reports the connecting process's pid, uid and gid on the accepted channel", async () => {
    const listener = await listen(endpointIn(dir, "unix"), "unix");
    try {
      const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
      const client = await createChannel(listener.endpoint, "unix");
      const server = await accepted;
      expect(server.peer).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
      expect(client.peer).toBeUndefined();
      // The adopted socket carries data both ways.
      await client.send(eventMessage(1, "up"));
      expect(dataOf(await server.receive())).toBe("up");
      await server.send(eventMessage(2, "down"));
      expect(dataOf(await client.receive())).toBe("down");
      await client.close();
    } finally {
      await listener.close(false);
    }
  });

  it("gives handlers the caller's pid as context.peer, for a caller in another process", async () => {
    const endpoint = endpointIn(dir, "unix");
    const served = await serveRpc(endpoint, { transport: "unix" });
    served.server.register({ iface: "test.Who", version: 1, methods: { whoami: { handler: (_args, context) => context.peer ?? null } } });
    try {
      const script = `
        const { connectRpc } = await import(${JSON.stringify(`${ROOT}/dist/runtime/rpc/connect.js`)});
        const client = await connectRpc(${JSON.stringify(endpoint)}, { transport: "unix" });
        const peer = await client.call("test.Who", "whoami", []);
        process.stdout.write(JSON.stringify({ self: process.pid, peer }));
        await client.close();`;
      const { self, peer } = (await runModuleScript(script, {})) as { self: number; peer: { pid: number; uid: number; gid: number } };
      expect(self).not.toBe(process.pid);
      expect(peer).toEqual({ pid: self, uid: process.getuid!(), gid: process.getgid!() });
    } finally {
      await served.close(false);
    }
  });

  it("an in-process caller sees its own pid; the round trip works through the adopted socket", async () => {
    const endpoint = endpointIn(dir, "unix");
    const served = await serveRpc(endpoint, { transport: "unix" });
    served.server.register({ iface: "test.Who", version: 1, methods: { pid: { handler: (_args, context) => context.peer?.pid ?? -1 } } });
    const client = await connectRpc(endpoint, { transport: "unix" });
    try {
      for (let i = 0; i < 20; i++) expect(await client.call("test.Who", "pid", [])).toBe(process.pid);
    } finally {
      await client.close();
      await served.close(false);
    }
  });
});

describe("unix listener without the addon's socket functions (NOVA_NO_NATIVE_SOCKETS=1)", () => {
  it("serves over Node's own accepted sockets and reports no peer", async () => {
    const endpoint = endpointIn(dir, "unix");
    const script = channelPairScript(
      endpoint,
      `for (let i = 0; i < 200; i++) await client.send(ev(i + 1, i));
      let sum = 0;
      for (let i = 0; i < 200; i++) sum += (await server.receive()).body.data;
      await server.send(ev(1000, "back"));
      const back = (await client.receive()).body.data;
      process.stdout.write(JSON.stringify({ sum, back, peer: server.peer ?? null }));`,
    );
    expect(await runModuleScript(script, { NOVA_NO_NATIVE_SOCKETS: "1" })).toEqual({ sum: (199 * 200) / 2, back: "back", peer: null });
  });
});

describe("adoptAccepted", () => {
  it("returns the socket unchanged, with no reader and no credentials, when it has no descriptor", () => {
    const socket = new Socket(); // not connected: no handle, no descriptor
    const adopted = adoptAccepted(socket);
    expect(adopted.socket).toBe(socket);
    expect(adopted.reader).toBeUndefined();
    expect(adopted.peer).toBeUndefined();
    socket.destroy();
  });

  it("takes over an accepted connection: the original is destroyed, the copy reads through its reader", async () => {
    const path = endpointIn(dir, "unix");
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
      const client = connect(path);
      const original = await accepted;
      const adopted = adoptAccepted(original);
      expect(adopted.socket).not.toBe(original);
      expect(original.destroyed).toBe(true);
      expect(adopted.peer?.pid).toBe(process.pid);
      const got: number[] = [];
      const done = new Promise<void>((resolve) =>
        adopted.reader!.attach((chunk) => {
          got.push(...chunk);
          if (got.length >= 3) resolve();
        }),
      );
      adopted.socket.resume();
      client.write(Buffer.of(1, 2, 3));
      await done;
      expect(got).toEqual([1, 2, 3]);
      client.destroy();
      adopted.socket.destroy();
    } finally {
      server.close();
    }
  });
});
