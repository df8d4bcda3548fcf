/**
 * A private D-Bus bus for tests and benchmarks: `dbus-daemon --session --nofork` listening on a
 * socket in a fresh temp dir, never the session or system bus of the machine. The daemon prints
 * its address and its own PID (`--print-address=1 --print-pid=1`); we wait for both, and stop it
 * by that PID, so a test can never kill a daemon it did not start. A missing `dbus-daemon` is a
 * failure naming the Debian package (system-deps.ts), never a skip.
 *
 * Shared by the interop tests (test/dbus/…) and the dbus-next baselines of the benchmarks
 * (test/bench/rpc-bench-procs.ts re-exports it as `startPrivateBus`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingDependency } from "./system-deps.js";

/** A running private dbus-daemon. */
export interface DbusDaemon {
  /** The bus address clients connect to: `unix:path=<dir>/bus.sock` plus the daemon's `guid=`. */
  readonly address: string;
  /** The daemon's own PID, as it printed it (with `--nofork`, also the child we spawned). */
  readonly pid: number;
  /** The temp dir holding the socket (removed by `stop`). */
  readonly dir: string;
  /** Environment for a child that should see this bus as its session bus (`gdbus --session`, python3-gi). */
  readonly env: NodeJS.ProcessEnv;
  /** SIGTERM to the PID (SIGKILL after 3 s), waits for the exit, removes the dir. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startDbusDaemon}. */
export interface DbusDaemonOptions {
  /** How long to wait for the address and PID lines (default 15 s: a loaded 2-core machine). */
  readonly timeoutMs?: number;
  /** Prefix of the temp dir name (default `nova-dbus-`). */
  readonly prefix?: string;
}

/**
 * Starts a private dbus-daemon and resolves once it has printed its address and PID (it listens
 * before printing). Rejects with {@link missingDependency} when dbus-daemon is not installed, or
 * with its stderr when it exits or stays silent.
 */
export async function startDbusDaemon(options: DbusDaemonOptions = {}): Promise<DbusDaemon> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const dir = mkdtempSync(join(tmpdir(), options.prefix ?? "nova-dbus-"));
  const socketAddress = `unix:path=${join(dir, "bus.sock")}`;
  const child = spawn("dbus-daemon", ["--session", "--nofork", `--address=${socketAddress}`, "--print-address=1", "--print-pid=1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, "SIGTERM");
        } catch {
          // Already gone.
        }
        const kill = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        }, 3000);
        kill.unref();
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true });
    }
    await exited;
  };
  try {
    const [address, pid] = await new Promise<[string, number]>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`dbus-daemon printed no address and PID within ${timeoutMs} ms; stderr: ${stderr.trim()}`)), timeoutMs);
      child.once("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(error.code === "ENOENT" ? missingDependency("dbus-daemon") : error);
      });
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /^(unix:[^\n]+)\n(\d+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve([m[1]!, Number(m[2])]);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`dbus-daemon exited (${signal ?? code}) before it was ready; stderr: ${stderr.trim()}`));
      });
    });
    if (pid !== child.pid) throw new Error(`dbus-daemon printed PID ${pid}, but we started ${child.pid}: was --nofork ignored?`);
    return { address, pid, dir, env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
