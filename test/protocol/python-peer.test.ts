/**
 * idl/WIRE.md §14 is enough to interoperate: negotiate_peer.py, a peer written from that page
 * alone (Python standard library, JSON frames), negotiates with runtime/protocol in both roles
 * and exchanges `chat` envelopes (the example plugin's protocol) with it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChannelEndpoint, connectProtocolEndpoint, negotiateProtocol, ProtocolRegistry, receiveProtocolMessage, sendProtocolMessage } from "../../runtime/protocol/index.js";
import { listen } from "../../runtime/transport/create-channel.js";
import type { Listener } from "../../runtime/transport/types.js";
import { registerChat, type ChatMessage } from "../../examples/protocol-plugin/chat-plugin.js";
import { requirePath, runTool } from "../helpers/system-deps.js";
import { settledCode } from "../helpers/ipc-error.js";
import { ROOT, endpointIn, makeTempDir, removeDir } from "../transport/helpers.js";

const PYTHON = "/usr/bin/python3";
const PEER = join(ROOT, "test/protocol/negotiate_peer.py");
const offer = (name: string, min: [number, number], max: [number, number]) => ({ name, min, max });

let dir: string;
let listener: Listener | undefined;
let child: ChildProcess | undefined;

beforeEach(() => {
  dir = makeTempDir("nova-protocol-py-");
  requirePath(PYTHON);
});
afterEach(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    process.kill(child.pid, "SIGKILL");
    await exited;
  }
  child = undefined;
  await listener?.close(false).catch(() => undefined);
  listener = undefined;
  removeDir(dir);
});

/** A TypeScript responder speaking chat 1.0-1.2 that answers each message with its text in upper case. */
async function tsResponder(): Promise<string> {
  const registry = new ProtocolRegistry();
  registerChat("1.0-1.2", registry);
  listener = await listen(endpointIn(dir, "unix"), "unix");
  listener.onConnection((channel) => {
    const peer = new ChannelEndpoint(channel, registry);
    void (async () => {
      for (;;) {
        const { message } = await receiveProtocolMessage<ChatMessage>("chat", peer, Infinity);
        await sendProtocolMessage<ChatMessage>("chat", peer, { from: "ts", text: message.text.toUpperCase(), sentAt: 5 });
      }
    })().catch(() => undefined);
  });
  return listener.endpoint;
}

async function initiate(socket: string, offers: unknown, text?: string): Promise<string[]> {
  const result = await runTool(PYTHON, [PEER, "initiate", socket, JSON.stringify(offers), ...(text === undefined ? [] : [text])], { timeout: 20_000 });
  expect(result.code, result.output).toBe(0);
  return result.output.trim().split("\n");
}

describe("a Python initiator written from WIRE.md §14", () => {
  it("gets the highest common version, then exchanges chat envelopes in JSON", async () => {
    const socket = await tsResponder();
    const lines = await initiate(socket, [offer("chat", [1, 1], [1, 5]), offer("nova", [1, 0], [1, 0])], "hello");
    expect(lines).toEqual(['ANSWER [{"name":"chat","version":[1,2]},null]', 'REPLY chat 1.2 {"from": "ts", "sentAt": 5, "text": "HELLO"}']);
  });

  it("gets NoCommonProtocol, and MessageValidationFailed with the path for malformed offers", async () => {
    const socket = await tsResponder();
    const [none] = await initiate(socket, [offer("chat", [2, 0], [2, 9]), offer("other", [1, 0], [1, 0])]);
    expect(JSON.parse(none!.slice("ANSWER ".length))).toEqual([null, expect.objectContaining({ code: "NoCommonProtocol" })]);
    const [bad] = await initiate(socket, [offer("chat", [1, 3], [1, 0])]);
    const [, error] = JSON.parse(bad!.slice("ANSWER ".length)) as [null, { code: string; data: { path: unknown } }];
    expect(error.code).toBe("MessageValidationFailed");
    expect(error.data.path).toEqual(["params", 0, 0]);
  });
});

describe("a Python responder written from WIRE.md §14", () => {
  async function pythonResponder(local: unknown): Promise<{ socket: string; lines: string[] }> {
    const socket = join(dir, "py.sock");
    child = spawn(PYTHON, [PEER, "respond", socket, JSON.stringify(local)], { stdio: ["ignore", "pipe", "inherit"] });
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("negotiate_peer.py did not print ready")), 20_000);
      child!.stdout!.on("data", (chunk: Buffer) => {
        lines.push(...chunk.toString().split("\n").filter((l) => l !== ""));
        if (lines.includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.once("exit", (code) => reject(new Error(`negotiate_peer.py exited with ${code}`)));
    });
    return { socket, lines };
  }

  it("answers our JSON negotiation with the highest common version and our chat at that version", async () => {
    const { socket, lines } = await pythonResponder([offer("chat", [1, 1], [1, 4])]);
    const registry = new ProtocolRegistry();
    registerChat("1.0-1.2", registry);
    const peer = await connectProtocolEndpoint(socket, "unix", { registry, format: "json" });
    try {
      expect(await negotiateProtocol(peer, [{ name: "chat", versions: "1.0-1.2" }], 20_000)).toEqual({ name: "chat", version: { major: 1, minor: 2 } });
      await sendProtocolMessage<ChatMessage>("chat", peer, { from: "ts", text: "stressed", sentAt: 3 });
      const reply = await receiveProtocolMessage<ChatMessage>("chat", peer, 20_000);
      expect(reply).toMatchObject({ version: { major: 1, minor: 2 }, message: { from: "python", text: "desserts", sentAt: 2 } });
      // Its stdout pipe may lag behind its socket.
      for (let waited = 0; lines.length < 3 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(lines).toEqual(["ready", "NEGOTIATED chat 1.2", "GOT 1.2 stressed"]);
    } finally {
      await peer.close();
    }
  });

  it("its NoCommonProtocol reaches us as that code", async () => {
    const { socket } = await pythonResponder([offer("chat", [3, 0], [3, 1])]);
    const registry = new ProtocolRegistry();
    registerChat("1.0-1.2", registry);
    const peer = await connectProtocolEndpoint(socket, "unix", { registry, format: "json" });
    try {
      expect(await settledCode(negotiateProtocol(peer, [{ name: "chat", versions: "1.0-1.2" }], 20_000))).toBe("NoCommonProtocol");
    } finally {
      await peer.close();
    }
  });
});
