/**
 * The addon's flock (ABI 8): flock(2) with LOCK_NB, the lock libwayland takes
 * on `<display>.lock` (runtime/wayland/display-socket.ts stands on it). A lock
 * belongs to an open file description: a second openSync of the same file
 * conflicts, a duplicate of the descriptor shares it, it lasts until the last
 * descriptor closes, and another process sees it. Never blocks.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadNative } from "../../native/index.js";
import { dist } from "../shm/shm-helpers.js";

const native = loadNative();
let dir = "";
let file = "";
const open: number[] = [];

function openLock(): number {
  const fd = openSync(file, "a+", 0o660);
  open.push(fd);
  return fd;
}

function close(fd: number): void {
  open.splice(open.indexOf(fd), 1);
  closeSync(fd);
}

/** What another process's flock(fd, "exclusive") on the file answers. */
function otherProcessLocks(): string {
  const script = `
    const { loadNative } = await import(${dist("native/index.js")});
    const fs = await import("node:fs");
    console.log(String(loadNative().flock(fs.openSync(${JSON.stringify(file)}, "a+"), "exclusive")));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nova-flock-"));
  file = join(dir, "wayland-0.lock");
});

afterEach(() => {
  for (const fd of open.splice(0)) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

describe("native flock", () => {
  it("an exclusive lock excludes other open file descriptions, not duplicates of its own, until its last descriptor closes", () => {
    const a = openLock();
    const b = openLock();
    expect(native.flock(a, "exclusive")).toBe(true);
    expect(native.flock(a, "exclusive")).toBe(true); // taking it again is a no-op
    expect(native.flock(b, "exclusive")).toBe(false);
    expect(native.flock(b, "shared")).toBe(false);
    const dup = native.dupFd(a);
    open.push(dup);
    expect(native.flock(dup, "exclusive")).toBe(true); // same open file description
    close(a);
    expect(native.flock(b, "exclusive")).toBe(false); // the duplicate still holds it
    close(dup);
    expect(native.flock(b, "exclusive")).toBe(true);
  });

  it("shared locks coexist and exclude an exclusive one; unlock releases", () => {
    const a = openLock();
    const b = openLock();
    expect(native.flock(a, "shared")).toBe(true);
    expect(native.flock(b, "shared")).toBe(true);
    expect(native.flock(a, "exclusive")).toBe(false); // b's shared lock stands in the way
    expect(native.flock(b, "unlock")).toBe(true);
    expect(native.flock(a, "exclusive")).toBe(true);
    expect(native.flock(a, "unlock")).toBe(true);
    expect(native.flock(b, "exclusive")).toBe(true);
  });

  it("another process sees the lock, and takes it once it is released", () => {
    const a = openLock();
    expect(native.flock(a, "exclusive")).toBe(true);
    expect(otherProcessLocks()).toBe("false");
    close(a);
    expect(otherProcessLocks()).toBe("true");
    // ...and its lock died with it: ours is free again.
    expect(native.flock(openLock(), "exclusive")).toBe(true);
  });

  it("an unknown operation is a TypeError; a closed descriptor an Error with code EBADF and syscall flock", () => {
    const a = openLock();
    for (const op of ["", "EXCLUSIVE", "lock", 2, undefined]) {
      expect(() => (native.flock as (...args: unknown[]) => unknown)(a, op)).toThrow(TypeError);
    }
    close(a);
    let thrown: (Error & { code?: string; syscall?: string }) | undefined;
    try {
      native.flock(a, "exclusive");
    } catch (e) {
      thrown = e as Error & { code?: string; syscall?: string };
    }
    expect(thrown).toMatchObject({ code: "EBADF", syscall: "flock" });
  });
});
