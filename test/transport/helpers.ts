/**
 * Shared helpers of the transport and RPC tests: temp endpoints, message
 * builders, and the compiled peer process (tests spawn real processes from
 * dist/, building it first when it is missing or stale).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { EventMessage, Message } from "../../runtime/wire/message.js";
import type { TransportType } from "../../runtime/transport/types.js";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

let seq = 0;

/** A fresh private temp directory; remove it with {@link removeDir}. */
export function makeTempDir(prefix = "nova-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a temp directory. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** An endpoint path for `transport` inside `dir`. */
export function endpointIn(dir: string, transport: TransportType, name = `ep${seq++}`): string {
  return join(dir, `${name}.${transport === "pipe" ? "fifo" : "sock"}`);
}

/** An Event message carrying `data` (the simplest message for transport tests). */
export function eventMessage(id: number, data: unknown, eventType = "test.data"): EventMessage {
  return { type: "event", messageId: BigInt(id), correlationId: 0n, timestampNs: 1n, body: { eventType, data, sourceId: 0n, priority: 0 } };
}

/** The data of an Event message. */
export function dataOf(message: Message): unknown {
  if (message.type !== "event") throw new Error(`expected an event, got ${message.type}`);
  return message.body.data;
}

/** Ensures dist/ holds a compiled `relPath` (e.g. test/bench/rpc-peer.js) newer than its source. */
export function ensureBuilt(relJs: string): string {
  const js = join(ROOT, "dist", relJs);
  const ts = join(ROOT, relJs.replace(/\.js$/, ".ts"));
  const fresh = existsSync(js) && (!existsSync(ts) || statSync(js).mtimeMs >= statSync(ts).mtimeMs);
  if (!fresh) {
    try {
      execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "ignore" });
    } catch {
      // tsc still emits when other files have type errors; the check below decides.
    }
  }
  if (!existsSync(js)) throw new Error(`${js} is missing: run \`npm run build\``);
  return js;
}

/** A spawned peer process and the line it printed when ready. */
export interface Peer {
  child: ChildProcess;
  ready: string;
  /** Kills it (SIGKILL) and waits for the exit. */
  kill(): Promise<void>;
}

/** Spawns `node dist/<relJs> ...args` and waits for its first stdout line. */
export async function spawnPeer(relJs: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Peer> {
  const js = ensureBuilt(relJs);
  const child = spawn(process.execPath, [js, ...args], { stdio: ["ignore", "pipe", "inherit"], env });
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const ready = await new Promise<string>((res, rej) => {
    let text = "";
    const timer = setTimeout(() => rej(new Error(`${relJs} did not become ready`)), 15_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const nl = text.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        res(text.slice(0, nl));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`${relJs} exited with ${code} before it was ready`));
    });
  });
  return {
    child,
    ready,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * Runs an ES-module `script` in a fresh Node process with `env` added to this
 * one's (for switches read once per process, like NOVA_NO_NATIVE_*), and
 * resolves with its stdout parsed as JSON; rejects when it exits non-zero.
 */
export async function runModuleScript(script: string, env: Record<string, string>): Promise<unknown> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`script exited with ${code}: ${out}`);
  return JSON.parse(out) as unknown;
}

/**
 * An ES-module script for {@link runModuleScript}: listens on `endpoint`
 * (unix), connects `client` to it, names the accepted end `server`, defines
 * `ev(id, data)` (an Event message), then runs `body`, then closes both.
 */
export function channelPairScript(endpoint: string, body: string): string {
  return `
    const { listen, createChannel } = await import(${JSON.stringify(`${ROOT}/dist/runtime/transport/create-channel.js`)});
    const listener = await listen(${JSON.stringify(endpoint)}, "unix");
    const accepted = new Promise((resolve) => listener.onConnection(resolve));
    const client = await createChannel(listener.endpoint, "unix");
    const server = await accepted;
    const ev = (id, data) => ({ type: "event", messageId: BigInt(id), correlationId: 0n, timestampNs: 1n, body: { eventType: "t", data, sourceId: 0n, priority: 0 } });
    ${body}
    await client.close();
    await listener.close(false);`;
}

