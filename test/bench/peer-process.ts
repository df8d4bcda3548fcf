/**
 * Benchmark processes driven line by line: start a compiled peer script (a
 * sibling in dist/test/bench, also when the suite runs from source under
 * vitest), read its output lines, write commands to its stdin, stop it by PID.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** A benchmark process driven line by line over stdin/stdout. */
export interface Peer {
  readonly child: ChildProcess;
  next(): Promise<string>;
  stop(): Promise<void>;
}

/** The compiled peer script: a sibling in dist/, also when this file runs from source (vitest). */
export function peerFile(script: string): string {
  const here = fileURLToPath(import.meta.url);
  const dir = here.endsWith(".ts") ? resolve(dirname(here), "../../dist/test/bench") : dirname(here);
  return join(dir, script);
}

/**
 * Starts `node <compiled script> ...args` with piped stdin/stdout, pinned to `cpu` if given
 * ({@link pinned}); {@link peerNodeArgs} go to node before the script.
 */
export function startPeer(script: string, args: readonly string[], cpu?: number): Peer {
  return startProcess([process.execPath, ...peerNodeArgs(), peerFile(script), ...args], { cpu, label: `${script} ${args[0] ?? ""}` });
}

/**
 * `NOVA_BENCH_PEER_NODE_ARGS` (space-separated, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`): node
 * options for the peers only (NODE_OPTIONS refuses `--cpu-prof`), so a profile shows the peer.
 */
export function peerNodeArgs(): string[] {
  return (process.env.NOVA_BENCH_PEER_NODE_ARGS ?? "").split(" ").filter((a) => a.length > 0);
}

/** Options of {@link startProcess}. */
export interface ProcessOptions {
  /** Pin to this CPU with taskset ({@link pinnedCommand}). */
  readonly cpu?: number;
  /** The environment (default this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Names the process in errors (default its argv). */
  readonly label?: string;
}

/**
 * Starts any program (`argv[0]` with the rest as its arguments) as a {@link Peer}: piped
 * stdin/stdout, stderr inherited. Stopped by its PID: SIGTERM when peers are profiled (so node
 * writes the profile), else SIGKILL; SIGKILL too when it lingers 3 s after SIGTERM.
 */
export function startProcess(argv: readonly string[], options: ProcessOptions = {}): Peer {
  const label = options.label ?? argv.join(" ");
  const [command, commandArgs] = pinnedCommand(options.cpu, argv);
  const child = spawn(command, commandArgs, { stdio: ["pipe", "pipe", "inherit"], env: options.env });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  // A peer that exits early would make writes to its stdin fail with EPIPE: next() reports the exit.
  child.stdin!.on("error", () => undefined);
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else lines.push(line);
  });
  const next = (): Promise<string> => {
    const line = lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (exited) return Promise.reject(new Error(`${label} exited`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label}: no output in 120 s`)), 120_000);
      waiters.push((l) => (clearTimeout(timer), resolve(l)));
      void exit.then(() => reject(new Error(`${label} exited`)));
    });
  };
  return {
    child,
    next,
    async stop() {
      if (!exited) {
        child.kill(peerNodeArgs().length > 0 ? "SIGTERM" : "SIGKILL");
        setTimeout(() => !exited && child.kill("SIGKILL"), 3000).unref();
      }
      await exit;
    },
  };
}

/**
 * `node ...args`, or `taskset -c <cpu> node ...args` (taskset execs node,
 * so the pid is node's) when `cpu` is given: the shm suite pins its
 * spinning processes to different CPUs (see shm.bench.ts).
 */
export function pinned(cpu: number | undefined, args: readonly string[]): [string, string[]] {
  return pinnedCommand(cpu, [process.execPath, ...args]);
}

/** `argv`, or `taskset -c <cpu> ...argv` when `cpu` is given (taskset execs the program: the pid is the program's). */
export function pinnedCommand(cpu: number | undefined, argv: readonly string[]): [string, string[]] {
  return cpu === undefined ? [argv[0]!, argv.slice(1)] : ["taskset", ["-c", String(cpu), ...argv]];
}

/** Whether {@link pinned} can pin to CPUs 0 and 1: there are two, and `taskset` runs on each. */
export function canPin(): boolean {
  return availableParallelism() >= 2 && [0, 1].every((cpu) => spawnSync("taskset", ["-c", String(cpu), "true"], { stdio: "ignore" }).status === 0);
}

/** Waits for the peer's `ready <pid>` line. */
export async function ready(peer: Peer): Promise<void> {
  const line = await peer.next();
  if (!line.startsWith("ready ")) throw new Error(`unexpected line from peer: ${line}`);
}

/** The median of `values`. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
