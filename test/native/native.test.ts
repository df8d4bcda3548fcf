/**
 * The addon as a whole: its ABI version and the exact set of functions it
 * exports (nothing that no caller uses), and the façade's own checks.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadNative, mkfifo } from "../../native/index.js";
import { IPCError } from "../../runtime/errors.js";

describe("native addon", () => {
  it("loads with ABI 8 (shared memory with size seals, futex, doorbells, descriptor passing, sched_yield, writable watches, socketPair, connectUnix, flock, recvFdsInto)", () => {
    expect(loadNative().abiVersion).toBe(8);
  });

  it("exports exactly the functions the runtime uses", () => {
    // fdSize and closeFd went with ABI 2 (closeFd could close any descriptor of the process);
    // memfdCreate came back with ABI 3, for shared-memory regions (runtime/shm).
    expect(Object.keys(loadNative()).sort()).toEqual([
      "abiVersion", "connectUnix", "dupFd", "eventfdCreate", "eventfdSignal", "flock", "futexCancel", "futexWait", "futexWaitSync", "futexWake", "mapFd",
      "memfdCreate", "mkfifo", "peerCredentials", "recvFds", "recvFdsInto", "refWatch", "scanFrames", "schedYield", "sealFrames", "sealSize", "sendFds", "sizeSealed",
      "socketPair", "unwatchFd", "watchEvents", "watchFd", "writeFd",
    ]);
  });

  it("creates a FIFO through the façade, and reports a failing mkfifo(3) as an IPCError with errno", () => {
    const dir = mkdtempSync(join(tmpdir(), "nova-native-"));
    try {
      const path = join(dir, "f");
      mkfifo(path, 0o600);
      expect(statSync(path).isFIFO()).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      try {
        mkfifo(path, 0o600);
        expect.unreachable("mkfifo on an existing path must fail");
      } catch (e) {
        expect(e).toBeInstanceOf(IPCError);
        expect((e as IPCError).code).toBe("NativeError");
        expect((e as IPCError).context).toMatchObject({ syscall: "mkfifo", errnoName: "EEXIST" });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the façade rejects bad paths and modes with InvalidArgument before crossing the boundary", () => {
    for (const [path, mode] of [["", 0o600], ["a\0b", 0o600], ["/tmp/x", -1], ["/tmp/x", 0o10000], ["/tmp/x", 1.5]] as const) {
      try {
        mkfifo(path, mode);
        expect.unreachable(`mkfifo(${JSON.stringify(path)}, ${mode}) must throw`);
      } catch (e) {
        expect(e).toBeInstanceOf(IPCError);
        expect((e as IPCError).code).toBe("InvalidArgument");
      }
    }
  });
});
