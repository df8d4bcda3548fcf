/**
 * Test helpers for shared memory: child processes running a module script
 * that imports from dist/, and the check that no /dev/shm/nova-* entry of
 * this user is left behind by a test.
 */
import { spawn } from "node:child_process";
import { expect } from "vitest";
import { Proc } from "../cli/processes.js";
import { ensureBuilt, ROOT } from "../transport/helpers.js";
import { novaShmEntries } from "./shm-entries.js";

export { novaShmEntries };

/** The file URL of a compiled module, for `import()` in a child script. */
export function dist(relJs: string): string {
  return JSON.stringify(ensureBuilt(relJs));
}

/** Starts `node --input-type=module -e script` (stdout/stderr collected line by line); stop it with `stop()`. */
export function startScript(script: string, label = "child"): Proc {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  return new Proc(child, label);
}

/** Fails when a test left a /dev/shm/nova-<uid>-<namePrefix>* entry behind (call in afterEach). */
export function expectNoShmLeft(namePrefix: string): void {
  expect(novaShmEntries(namePrefix)).toEqual([]);
}

/** A name prefix unique to this test process, for {@link expectNoShmLeft}. */
export function uniquePrefix(tag: string): string {
  return `${tag}-${process.pid}-`;
}
