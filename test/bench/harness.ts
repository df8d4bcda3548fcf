/**
 * Benchmark helpers shared by every suite: a throughput loop with warm-up and
 * median-of-rounds (robust on a shared machine), a latency recorder backed by
 * hdr-histogram-js, and unit conversions.
 */
import * as hdr from "hdr-histogram-js";

/** What a suite gets from the runner. */
export interface BenchContext {
  /** `--quick`: shorter runs, the same metrics. */
  readonly quick: boolean;
  /** Progress output (stderr), so stdout stays the result table. */
  log(line: string): void;
}

/** A group of related metrics; add new ones to test/bench/suites.ts. */
export interface BenchSuite {
  readonly name: string;
  /** Returns metric name -> value; names are the ones the issues define. */
  run(ctx: BenchContext): Promise<Record<string, number>>;
}

/** Result of {@link measureThroughput}. */
export interface Throughput {
  /** Median over the measured rounds. */
  opsPerSec: number;
  /** Best round, for reference. */
  bestOpsPerSec: number;
  rounds: number;
}

/** Durations for the current mode. */
export function timing(ctx: BenchContext): { warmupMs: number; measureMs: number; rounds: number } {
  return ctx.quick ? { warmupMs: 150, measureMs: 600, rounds: 5 } : { warmupMs: 800, measureMs: 3000, rounds: 9 };
}

const now = (): number => performance.now();

/** A batch size for `body(n)` that takes about 5 ms (at most 2^24 operations). */
export function calibrateBatch(body: (n: number) => void): number {
  let batch = 1;
  for (;;) {
    const t = now();
    body(batch);
    const dt = now() - t;
    if (dt >= 5 || batch >= 1 << 24) return batch;
    batch = dt < 0.5 ? batch * 8 : Math.ceil((batch * 5) / dt);
  }
}

/** One measuring round: calls `body(batch)` until `perRoundMs` have passed; operations per second. */
export function roundRate(body: (n: number) => void, batch: number, perRoundMs: number): number {
  let ops = 0;
  const start = now();
  let elapsed = 0;
  do {
    body(batch);
    ops += batch;
    elapsed = now() - start;
  } while (elapsed < perRoundMs);
  return (ops / elapsed) * 1000;
}

/**
 * Measures `body(n)`, which must perform `n` operations. The batch size is
 * calibrated so one batch takes about 5 ms; `warmupMs` lets the JIT settle;
 * then `rounds` rounds share `measureMs` and the median round rate is returned.
 */
export function measureThroughput(body: (n: number) => void, options: { warmupMs: number; measureMs: number; rounds: number }): Throughput {
  const batch = calibrateBatch(body);
  const warmEnd = now() + options.warmupMs;
  while (now() < warmEnd) body(batch);
  const rates: number[] = [];
  const perRound = options.measureMs / options.rounds;
  for (let r = 0; r < options.rounds; r++) rates.push(roundRate(body, batch, perRound));
  rates.sort((a, b) => a - b);
  return { opsPerSec: rates[Math.floor(rates.length / 2)], bestOpsPerSec: rates[rates.length - 1], rounds: rates.length };
}

/** Latency percentiles in microseconds. */
export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  mean: number;
  max: number;
  count: number;
}

/**
 * Records `samples` timed runs of `op` (sync or async) after `warmup` untimed
 * ones, in an HDR histogram with 3 significant digits (ns resolution).
 */
export async function measureLatency(op: () => unknown, options: { samples: number; warmup?: number }): Promise<Latency> {
  for (let i = 0; i < (options.warmup ?? Math.ceil(options.samples / 10)); i++) await op();
  const h = hdr.build({ numberOfSignificantValueDigits: 3 });
  try {
    for (let i = 0; i < options.samples; i++) {
      const t = process.hrtime.bigint();
      await op();
      h.recordValue(Number(process.hrtime.bigint() - t));
    }
    const us = (ns: number) => ns / 1000;
    return {
      p50: us(h.getValueAtPercentile(50)),
      p95: us(h.getValueAtPercentile(95)),
      p99: us(h.getValueAtPercentile(99)),
      p999: us(h.getValueAtPercentile(99.9)),
      mean: us(h.mean),
      max: us(h.maxValue),
      count: h.totalCount,
    };
  } finally {
    h.destroy();
  }
}

/** Bytes per second as MB/s (10^6 bytes, as the spec's "MB/s"). */
export function mbPerSec(bytesPerOp: number, opsPerSec: number): number {
  return (bytesPerOp * opsPerSec) / 1e6;
}

/** Rounds for display and JSON: 3 significant digits, at least integer precision for large values. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(digits));
}

/** Keeps a value alive so the JIT cannot drop the work that produced it. */
export let sink: unknown;
/** Stores `value` in {@link sink}. */
export function consume(value: unknown): void {
  sink = value;
}

/**
 * Like {@link measureThroughput} for several bodies at once, measured in
 * interleaved rounds: each round runs every body for its share of the time,
 * in turn, so that bursts of load from other work on a shared machine hit
 * all of them alike and their ratios hold. Each body is calibrated and warmed
 * up first; returns the median round rate of each, by name.
 */
export function measureThroughputInterleaved(
  bodies: Record<string, (n: number) => void>,
  options: { warmupMs: number; measureMs: number; rounds: number },
): Record<string, Throughput> {
  const names = Object.keys(bodies);
  const batches = names.map((name) => calibrateBatch(bodies[name]));
  // Warm-up in turns too, so every body's code is optimised before any is measured.
  const warmEnd = now() + options.warmupMs * names.length;
  while (now() < warmEnd) names.forEach((name, k) => bodies[name](batches[k]));
  const rates = names.map((): number[] => []);
  const perRound = options.measureMs / options.rounds;
  for (let r = 0; r < options.rounds; r++) {
    names.forEach((name, k) => rates[k].push(roundRate(bodies[name], batches[k], perRound)));
  }
  const out: Record<string, Throughput> = {};
  names.forEach((name, k) => {
    const sorted = rates[k].sort((a, b) => a - b);
    out[name] = { opsPerSec: sorted[Math.floor(sorted.length / 2)], bestOpsPerSec: sorted[sorted.length - 1], rounds: sorted.length };
  });
  return out;
}
