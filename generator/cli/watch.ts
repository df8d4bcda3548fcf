/**
 * `--watch`: re-runs a command when a `.nidl` file under the inputs changes.
 * Events are debounced (editors write files in several steps) and runs never
 * overlap. Stops when `stop` is aborted (the CLI aborts it on SIGINT/SIGTERM).
 */
import { statSync, watch, type FSWatcher } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CommandIo } from "./input-files.js";

/** Options of {@link watchInputs}. */
export interface WatchOptions {
  /** Aborting it closes the watchers and resolves the returned promise. */
  stop: AbortSignal;
  /** Quiet period after the last change before re-running. */
  debounceMs?: number;
}

/** Watches the inputs (directories recursively, files through their folder) and calls `rerun` after changes. */
export function watchInputs(inputs: readonly string[], rerun: () => Promise<void>, io: CommandIo, options: WatchOptions): Promise<void> {
  const debounceMs = options.debounceMs ?? 150;
  const dirs = new Set<string>();
  for (const i of inputs) {
    const abs = resolve(i);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      isDir = false;
    }
    dirs.add(isDir ? abs : dirname(abs));
  }
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const schedule = (file: string | null): void => {
    if (file !== null && !file.endsWith(".nidl")) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(async () => {
        if (options.stop.aborted) return;
        io.err("nova-gen: change detected, regenerating…\n");
        await rerun();
      });
    }, debounceMs);
  };
  for (const d of [...dirs].sort()) watchers.push(watch(d, { recursive: true }, (_e, f) => schedule(f === null ? null : String(f))));
  io.err(`nova-gen: watching ${dirs.size} folder${dirs.size === 1 ? "" : "s"} for .nidl changes (Ctrl-C to stop)\n`);
  return new Promise((done) => {
    const close = (): void => {
      for (const w of watchers) w.close();
      if (timer !== undefined) clearTimeout(timer);
      void running.then(() => done());
    };
    if (options.stop.aborted) close();
    else options.stop.addEventListener("abort", close, { once: true });
  });
}
