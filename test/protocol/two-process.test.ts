/**
 * Negotiation between two processes over a Unix socket, with the example plugin
 * (examples/protocol-plugin): a compiled `peer.js serve` child, and as the other side either this
 * test process or a second child (`peer.js connect`). Also checks the plugin stays under 50 lines.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectProtocolEndpoint, negotiateProtocol, ProtocolRegistry, receiveProtocolMessage, sendProtocolMessage } from "../../runtime/protocol/index.js";
import { chatHandler, registerChat, type ChatMessage } from "../../examples/protocol-plugin/chat-plugin.js";
import { ROOT, ensureBuilt, endpointIn, makeTempDir, removeDir, spawnPeer, type Peer } from "../transport/helpers.js";
import { settledCode } from "../helpers/ipc-error.js";

const run = promisify(execFile);
const PEER = "examples/protocol-plugin/peer.js";

let dir: string;
let server: Peer | undefined;

beforeEach(() => {
  dir = makeTempDir("nova-protocol-2p-");
});
afterEach(async () => {
  await server?.kill();
  server = undefined;
  removeDir(dir);
});

/** Starts `peer.js serve` registering `versions`, and returns its socket path. */
async function serve(versions: string): Promise<string> {
  const endpoint = endpointIn(dir, "unix");
  server = await spawnPeer(PEER, ["serve", endpoint, versions]);
  expect(server.ready).toBe(`ready ${endpoint}`);
  return endpoint;
}

/** Lines the server printed after its ready line, once `count` have arrived. */
function serverLines(count: number): Promise<string[]> {
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server printed ${JSON.stringify(lines)}`)), 20_000);
    server!.child.stdout!.on("data", (chunk: Buffer) => {
      lines.push(...chunk.toString().split("\n").filter((l) => l !== ""));
      if (lines.length >= count) {
        clearTimeout(timer);
        resolve(lines);
      }
    });
  });
}

describe("examples/protocol-plugin", () => {
  it("the plugin registers a custom protocol in under 50 lines", () => {
    const lines = readFileSync(join(ROOT, "examples/protocol-plugin/chat-plugin.ts"), "utf8").split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.length - 1).toBeLessThan(50);
    const registry = new ProtocolRegistry();
    registerChat("1.0-1.2", registry);
    expect(registry.require("chat").handler).toBe(chatHandler);
  });

  it("negotiates with this process: the highest common version, then chat both ways", async () => {
    const endpoint = await serve("1.0-1.2");
    const printed = serverLines(2);
    const registry = new ProtocolRegistry();
    registerChat("1.1-1.2", registry);
    const peer = await connectProtocolEndpoint(endpoint, "unix", { registry });
    try {
      expect(await negotiateProtocol(peer, [{ name: "chat", versions: "1.1-1.2" }], 20_000)).toEqual({ name: "chat", version: { major: 1, minor: 2 } });
      await sendProtocolMessage<ChatMessage>("chat", peer, { from: "test", text: "ping", sentAt: 1 });
      const answer = await receiveProtocolMessage<ChatMessage>("chat", peer, 20_000);
      expect(answer.version).toEqual({ major: 1, minor: 2 });
      expect(answer.message).toMatchObject({ from: "server", text: "PING" });
      expect(typeof answer.message.sentAt).toBe("number");
      expect(await printed).toEqual(["negotiated chat 1.2", "got test: ping"]);
    } finally {
      await peer.close();
    }
  });

  it("two child processes negotiate down to 1.0 (sentAt is then not sent), or fail with NoCommonProtocol", async () => {
    const connect = ensureBuilt(PEER);
    const endpoint = await serve("1.0-1.2");
    const old = await run(process.execPath, [connect, "connect", endpoint, "1.0", "from the past"], { timeout: 30_000 });
    expect(old.stdout.split("\n")).toEqual(["negotiated chat 1.0", "reply server: FROM THE PAST (v1.0, sentAt absent)", ""]);
    await server!.kill();

    const endpoint2 = await serve("1.0");
    const refused = await run(process.execPath, [connect, "connect", endpoint2, "1.1-1.2", "hi"], { timeout: 30_000 }).catch((e: { code: number; stdout: string }) => e);
    expect(refused.stdout).toMatch(/^error NoCommonProtocol: /);
    expect((refused as { code?: number }).code).toBe(1);
  });

  it("this process sees NoCommonProtocol from the child, and EndpointUnreachable once it is gone", async () => {
    const endpoint = await serve("1.0");
    const registry = new ProtocolRegistry();
    registerChat("1.2", registry);
    const peer = await connectProtocolEndpoint(endpoint, "unix", { registry });
    try {
      expect(await settledCode(negotiateProtocol(peer, [{ name: "chat", versions: "1.2" }], 20_000))).toBe("NoCommonProtocol");
      await server!.kill();
      expect(await settledCode(peer.channel.closedPromise.then(() => negotiateProtocol(peer, undefined, 20_000)))).toBe("EndpointUnreachable");
    } finally {
      await peer.close();
    }
    expect(await settledCode(connectProtocolEndpoint(endpoint, "unix", { registry, timeoutMs: 2000 }))).toBe("EndpointUnreachable");
  });
});
