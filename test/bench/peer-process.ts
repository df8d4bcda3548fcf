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
 * Starts `node <compiled script> ...args` with piped stdin/stdout, pinned to `cpu` if given ({@link pinned}).
 * `NOVA_BENCH_PEER_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`) goes to node, as in
 * rpc-bench-procs.ts; a profiled peer is then stopped with SIGTERM so it can write its profile.
 */
export function startPeer(script: string, args: readonly string[], cpu?: number): Peer {
  const nodeArgs = (process.env.NOVA_BENCH_PEER_NODE_ARGS ?? "").split(" ").filter((a) => a.length > 0);
  return startProgram(process.execPath, [...nodeArgs, peerFile(script), ...args], `${script} ${args[0] ?? ""}`, cpu);
}

/** Starts any program (`/usr/bin/python3 script.py …`) the same way as {@link startPeer}; `label` names it in errors. */
export function startProgram(program: string, args: readonly string[], label: string, cpu?: number): Peer {
  const [command, commandArgs] = cpu === undefined ? [program, [...args]] : ["taskset", ["-c", String(cpu), program, ...args]];
  const child = spawn(command, commandArgs, { stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
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
        child.kill(process.env.NOVA_BENCH_PEER_NODE_ARGS ? "SIGTERM" : "SIGKILL");
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
  return cpu === undefined ? [process.execPath, [...args]] : ["taskset", ["-c", String(cpu), process.execPath, ...args]];
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
