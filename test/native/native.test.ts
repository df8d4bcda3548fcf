import { describe, expect, it } from "vitest";
import { closeFd, fdSize, loadNative, memfdCreate } from "../../native/index.js";
import { IPCError } from "../../runtime/errors.js";
import { ftruncateSync, writeSync } from "node:fs";

describe("native addon", () => {
  it("loads with the expected ABI", () => {
    expect(loadNative().abiVersion).toBe(1);
  });

  it("creates a memfd that can be sized, written and closed", () => {
    const fd = memfdCreate("nova-test", { sealable: true });
    expect(fd).toBeGreaterThan(2);
    expect(fdSize(fd)).toBe(0);
    ftruncateSync(fd, 4096);
    expect(fdSize(fd)).toBe(4096);
    writeSync(fd, Buffer.from("hello"), 0, 5, 0);
    expect(fdSize(fd)).toBe(4096);
    closeFd(fd);
    // a closed descriptor surfaces errno/syscall through IPCError
    try {
      fdSize(fd);
      expect.unreachable("fstat on a closed fd must fail");
    } catch (e) {
      expect(e).toBeInstanceOf(IPCError);
      expect((e as IPCError).code).toBe("NativeError");
      expect((e as IPCError).context).toMatchObject({ syscall: "fstat", errnoName: "EBADF" });
    }
  });

  it("validates arguments before crossing the boundary", () => {
    expect(() => memfdCreate("")).toThrow(IPCError);
    expect(() => memfdCreate("a/b")).toThrow(/without "\/"/);
    expect(() => fdSize(-1)).toThrow(IPCError);
  });
});
