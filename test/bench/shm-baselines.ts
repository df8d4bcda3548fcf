/**
 * The baselines of the shm suite (shm.bench.ts): what the hardware and plain
 * JavaScript can do, measured in the same run as our figures.
 *
 * - The C ping-pong (test/bench/c/futex-pingpong.c), compiled here with
 *   `cc -O2` into a temporary directory at run time, so that it is built for
 *   this machine and nothing binary is committed.
 * - The CAS pair: two `Atomics.compareExchange` on a SharedArrayBuffer, the
 *   least a lock + unlock can cost in JavaScript.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** What one run of futex-pingpong prints. */
export interface CPingPong {
  mode: "futex" | "spin";
  count: number;
  mean_us: number;
  p50_us: number;
  p95_us: number;
  p99_us: number;
}

/** The C source: beside this file in test/bench/c, also when this file runs compiled from dist/test/bench. */
function cSource(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromSource = join(here, "c", "futex-pingpong.c");
  return existsSync(fromSource) ? fromSource : resolve(here, "../../../test/bench/c/futex-pingpong.c");
}

/** A compiled futex-pingpong, removed by {@link CProgram.remove}. */
export interface CProgram {
  /** One run; `cpus` pins parent and child (sched_setaffinity in the program). */
  run(mode: "futex" | "spin", count: number, cpus?: readonly [number, number]): CPingPong;
  remove(): void;
}

/**
 * Compiles futex-pingpong.c with `cc -O2`; returns undefined (and says why
 * through `log`) when there is no C compiler or the compile fails, so the
 * suite reports the C baselines as absent rather than failing.
 */
export function compileCPingPong(log: (line: string) => void): CProgram | undefined {
  const source = cSource();
  const dir = mkdtempSync(join(tmpdir(), "nova-bench-c-"));
  const binary = join(dir, "futex-pingpong");
  try {
    execFileSync("cc", ["-O2", "-o", binary, source], { stdio: ["ignore", "ignore", "pipe"], timeout: 60_000 });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    const why = missing
      ? "no C compiler: `cc` is not on PATH (gcc is in scripts/debian-packages.txt; `npm run setup` installs it)"
      : `\`cc -O2 ${source}\` failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
    log(`  baseline_c_futex_rtt_us absent: ${why}`);
    return undefined;
  }
  return {
    run(mode, count, cpus) {
      const out = execFileSync(binary, [mode, String(count), ...(cpus ?? []).map(String)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 120_000 });
      const result = JSON.parse(out) as CPingPong;
      if (result.mode !== mode || result.count !== count) throw new Error(`futex-pingpong printed ${out.trim()}`);
      return result;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A body for the harness's throughput loops: `n` CAS pairs (0 → 1, then
 * 1 → 0) on one Int32 of a SharedArrayBuffer. Summing the results and
 * checking the sum keeps every CAS observable, so none can be dropped; the
 * sum is exactly `n` (the first CAS returns 0, the second 1).
 */
export function casPairBody(): (n: number) => void {
  const i32 = new Int32Array(new SharedArrayBuffer(64));
  return (n: number): void => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += Atomics.compareExchange(i32, 0, 0, 1);
      sum += Atomics.compareExchange(i32, 0, 1, 0);
    }
    if (sum !== n) throw new Error(`CAS pair baseline: sum ${sum}, expected ${n}`);
  };
}
