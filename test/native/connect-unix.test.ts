/**
 * ABI 7 of the addon: connectUnix, a non-blocking Unix connect to a path or
 * to an abstract name of exact length (what dbus-daemon binds, and what
 * Node's net cannot reach because it pads the name to 108 bytes). Listeners
 * that bind the exact name are Python's (test/helpers/unix-listener.ts).
 */
import { closeSync, constants as fsConstants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nativeShm } from "../../native/index.js";
import { pythonUnixListener } from "../helpers/unix-listener.js";

const n = nativeShm();
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function failure(fn: () => unknown): { name: string; code?: string; syscall?: string } {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { code?: string; syscall?: string };
    return { name: err.name, code: err.code, syscall: err.syscall };
  }
  throw new Error("expected a throw");
}

/** The bytes the peer sends until it closes, read through a watch (never blocking). */
function readAll(fd: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const buf = new Uint8Array(1024);
    const watch = n.watchFd(fd, false, () => {
      for (;;) {
        const r = n.recvFds(fd, buf);
        if (r.bytes > 0) chunks.push(Buffer.from(buf.subarray(0, r.bytes)));
        else if (r.bytes === -constants.errno.EAGAIN) return;
        else break;
      }
      n.unwatchFd(watch);
      resolve(Buffer.concat(chunks).toString());
    });
  });
}

/** The open flags of one of our descriptors, from /proc/self/fdinfo. */
function openFlags(fd: number): number {
  return parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))![1]!, 8);
}

describe("native connectUnix", () => {
  it("connects to a path; the descriptor is non-blocking and close-on-exec", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nova-connect-"));
    const path = join(dir, "s.sock");
    const server = createServer((s) => s.end("from node"));
    await new Promise<void>((r) => server.listen(path, r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const fd = n.connectUnix(path, false);
    cleanups.push(() => closeSync(fd));
    expect(openFlags(fd) & fsConstants.O_NONBLOCK).toBe(fsConstants.O_NONBLOCK);
    expect(openFlags(fd) & 0o2000000).toBe(0o2000000); // O_CLOEXEC
    expect(await readAll(fd)).toBe("from node");
  });

  it("reaches an exact-length abstract name that Node's net cannot reach", async () => {
    const name = `nova-native-${process.pid}-${Date.now()}`;
    cleanups.push(await pythonUnixListener(`\0${name}`, "hello"));
    const viaNet = await new Promise<string>((resolve) => {
      const s = createConnection({ path: `\0${name}` });
      s.once("connect", () => (s.destroy(), resolve("connected")));
      s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(viaNet).toBe("ECONNREFUSED");
    const fd = n.connectUnix(Buffer.from(name), true);
    cleanups.push(() => closeSync(fd));
    expect(await readAll(fd)).toBe("hello");
  });

  it("fails at once with errno codes: nothing listening, a full backlog (EAGAIN), a name too long", async () => {
    expect(failure(() => n.connectUnix(`nova-native-none-${process.pid}-${Date.now()}`, true))).toMatchObject({ code: "ECONNREFUSED", syscall: "connect" });
    expect(failure(() => n.connectUnix("/nonexistent/nova/s.sock", false))).toMatchObject({ code: "ENOENT", syscall: "connect" });
    expect(failure(() => n.connectUnix("x".repeat(108), true))).toMatchObject({ code: "ENAMETOOLONG" });
    expect(failure(() => n.connectUnix(`/${"x".repeat(107)}`, false))).toMatchObject({ code: "ENAMETOOLONG" });
    const name = `nova-native-full-${process.pid}-${Date.now()}`;
    cleanups.push(await pythonUnixListener(`\0${name}`, "full"));
    const started = Date.now();
    expect(failure(() => n.connectUnix(name, true))).toMatchObject({ code: "EAGAIN", syscall: "connect" });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("rejects bad arguments with a TypeError", () => {
    expect(failure(() => n.connectUnix("/tmp/a\0b", false)).name).toBe("TypeError");
    expect(failure(() => (n.connectUnix as (x: unknown, a: boolean) => number)(42, false)).name).toBe("TypeError");
    expect(failure(() => (n.connectUnix as (x: unknown, a: boolean) => number)(new Uint16Array(2), true)).name).toBe("TypeError");
  });
});
