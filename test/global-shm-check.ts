/**
 * Issue 13 acceptance, "after every test, no /dev/shm/nova-* entry is left
 * behind", checked once more for the whole run: each shm/sync test file
 * checks its own names after every test (files run in parallel, so they
 * cannot check each other's), and this global teardown fails the run when any
 * region of this user that was not there before the run is still there.
 */
import { novaShmEntries } from "./shm/shm-entries.js";

let before = new Set<string>();

export function setup(): void {
  before = new Set(novaShmEntries());
}

export function teardown(): void {
  const left = novaShmEntries().filter((e) => !before.has(e));
  if (left.length === 0) return;
  // vitest only logs an error thrown here; the exit code is what CI (.ci/run) reads.
  process.stderr.write(`error: the tests left shared-memory regions behind in /dev/shm: ${left.join(", ")}\n`);
  process.exitCode = 1;
}
