/**
 * A private dbus-daemon for the D-Bus tests: `dbus-daemon --session` on a
 * socket in a fresh temp dir, started per test file and stopped by its PID.
 * A missing dbus-daemon fails naming its Debian package.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingDependency } from "../helpers/system-deps.js";

/** A running private bus. */
export interface PrivateBus {
  readonly address: string;
  readonly pid: number;
  readonly dir: string;
  /** Environment for tools that should use this bus as their session bus. */
  readonly env: NodeJS.ProcessEnv;
  /** Stops the daemon by its PID; removes the temp dir unless `keepDir`. */
  stop(keepDir?: boolean): Promise<void>;
}

/**
 * Starts a private session bus, in `reuseDir` when given (a restarted bus at
 * the same address), listening on `listenAt(dir)` (default
 * `unix:path=<dir>/bus.sock`). `address` is what the daemon prints.
 */
export function startPrivateBus(reuseDir?: string, listenAt?: (dir: string) => string): Promise<PrivateBus> {
  const dir = reuseDir ?? mkdtempSync(join(tmpdir(), "nova-dbus-test-"));
  const address = listenAt?.(dir) ?? `unix:path=${join(dir, "bus.sock")}`;
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn("dbus-daemon", ["--session", "--nofork", `--address=${address}`, "--print-address=1", "--print-pid=1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`dbus-daemon did not start within 10 s: ${err}`));
    }, 10_000);
    child.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(e.code === "ENOENT" ? missingDependency("dbus-daemon") : e);
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(unix:[^\n]+)\n(\d+)\n/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      const pid = Number(m[2]);
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once("exit", () => r())));
      resolve({
        address: m[1]!,
        pid,
        dir,
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: m[1]! },
        stop: async (keepDir = false) => {
          try {
            process.kill(pid, "SIGTERM");
          } catch {
            // Already gone.
          }
          await exited;
          if (keepDir) rmSync(join(dir, "bus.sock"), { force: true });
          else rmSync(dir, { recursive: true, force: true });
        },
      });
    });
  });
}
