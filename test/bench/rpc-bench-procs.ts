/**
 * Process plumbing of the RPC benchmarks: start a peer script from dist/
 * (peer-process.ts `peerFile`: a sibling once compiled), wait for its `ready` line, stop it
 * by PID; a private dbus-daemon (test/helpers/dbus-daemon.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peerFile, peerNodeArgs, pinned } from "./peer-process.js";
import { startDbusDaemon, type DbusDaemon } from "../helpers/dbus-daemon.js";

/** A running child process. */
export interface BenchProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

function waitForLine(child: ChildProcess, what: string, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const m = text.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return async () => {
    // SIGTERM first so a profiled peer can write its profile; SIGKILL if it lingers.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(peerNodeArgs().length > 0 ? "SIGTERM" : "SIGKILL");
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), 3000).unref();
    }
    await exited;
  };
}

/**
 * Starts `node <sibling script> ...args` (pinned to `cpu` if given) and waits for `ready <pid>`.
 * Node gets {@link peerNodeArgs} (`NOVA_BENCH_PEER_NODE_ARGS`, e.g. for `--cpu-prof`).
 */
export async function startPeer(script: string, args: readonly string[], cpu?: number): Promise<BenchProcess> {
  const file = peerFile(script);
  const [command, commandArgs] = pinned(cpu, [...peerNodeArgs(), file, ...args]);
  const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "inherit"] });
  await waitForLine(child, script, /ready (\d+)/);
  return { pid: child.pid!, stop: stopper(child) };
}

/** A private D-Bus bus daemon (test/helpers/dbus-daemon.ts). */
export type PrivateBus = DbusDaemon;

/** Starts `dbus-daemon --session` on a socket in a fresh temp dir (test/helpers/dbus-daemon.ts). */
export function startPrivateBus(): Promise<PrivateBus> {
  return startDbusDaemon({ prefix: "nova-bench-dbus-" });
}

/** A fresh temp directory for endpoints. */
export function benchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "nova-bench-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
