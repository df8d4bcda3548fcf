/**
 * The addon's socket functions: bad arguments throw, failing system calls
 * throw errors carrying errno and syscall, never a crash.
 */
import { closeSync, openSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nativeSockets } from "../../native/index.js";

const sockets = nativeSockets();

function failure(fn: () => unknown): { name: string; code?: string; syscall?: string } {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { code?: string; syscall?: string };
    return { name: err.name, code: err.code, syscall: err.syscall };
  }
  throw new Error("expected a throw");
}

describe("native sockets", () => {
  it("is available (npm install builds the addon)", () => {
    expect(sockets).toBeDefined();
  });

  it("rejects descriptors that are not integers in 0..2147483647 with a TypeError (all cases: args.test.ts)", () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 40]) {
      expect(failure(() => sockets!.dupFd(bad)).name).toBe("TypeError");
      expect(failure(() => sockets!.peerCredentials(bad)).name).toBe("TypeError");
    }
    expect(failure(() => (sockets!.dupFd as (x: unknown) => number)("3")).name).toBe("TypeError");
  });

  it("reports failing system calls with errno and syscall", () => {
    expect(failure(() => sockets!.dupFd(1_000_000))).toMatchObject({ code: "EBADF", syscall: "fcntl" });
    const fd = openSync("/dev/null", "r");
    try {
      expect(failure(() => sockets!.peerCredentials(fd))).toMatchObject({ code: "ENOTSOCK", syscall: "getsockopt" });
      const copy = sockets!.dupFd(fd);
      expect(copy).not.toBe(fd);
      closeSync(copy);
    } finally {
      closeSync(fd);
    }
  });
});
