/**
 * Progress on stderr for large inputs: only when stderr is a terminal or the
 * input is big (many files), so tests and pipes stay quiet.
 */
import type { CommandIo } from "./input-files.js";

/** Files above which progress is shown even without a terminal. */
export const PROGRESS_THRESHOLD = 50;

/** A progress reporter. */
export interface Progress {
  step(what: string): void;
  done(): void;
}

/** Creates a reporter for `count` inputs. */
export function createProgress(count: number, io: CommandIo, isTty: boolean = process.stderr.isTTY === true): Progress {
  const enabled = isTty || count > PROGRESS_THRESHOLD;
  const started = Date.now();
  return {
    step(what) {
      if (enabled) io.err(`nova-gen: ${what} (${count} input${count === 1 ? "" : "s"})…\n`);
    },
    done() {
      if (enabled) io.err(`nova-gen: done in ${Date.now() - started} ms\n`);
    },
  };
}
