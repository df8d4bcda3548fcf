/**
 * The addon's own argument checks (native/src/args.cc), called on the raw
 * binding so that the façade's checks cannot hide them: every descriptor
 * argument goes through one check (a number holding an integer in
 * 0..2147483647, else TypeError), and a path with NUL is a TypeError instead
 * of a shorter path.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadNative } from "../../native/index.js";

const native = loadNative();
type Raw = (...args: unknown[]) => unknown;

/** Every addon function that takes a descriptor, called with `fd` and otherwise valid arguments. */
const FD_FUNCTIONS: Record<string, (fd: unknown) => unknown> = {
  dupFd: (fd) => (native.dupFd as Raw)(fd),
  peerCredentials: (fd) => (native.peerCredentials as Raw)(fd),
  writeFd: (fd) => (native.writeFd as Raw)(fd, new Uint8Array(4), 0, 4),
  recvFdsInto: (fd) => (native.recvFdsInto as Raw)(fd, new Uint8Array(4), 0, 4, new Int32Array(254)),
  flock: (fd) => (native.flock as Raw)(fd, "exclusive"),
};

/** What `fn` threw: name, message, and errno fields when it is a system call failure. */
function failure(fn: () => unknown): { name: string; message: string; code?: string } {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { code?: string };
    return { name: err.name, message: err.message, code: err.code };
  }
  throw new Error("expected a throw");
}

// Each would reach a system call on some descriptor if it were converted
// (Int32Value wraps 2**32+2 to 2, i.e. stderr; ToInt32(-1) is -1; a bigint or a
// string would be coerced), so each must stop at the check.
const BAD_FDS: unknown[] = [-1, -(2 ** 31), 2 ** 31, 2 ** 32, 2 ** 32 + 2, 2 ** 53, 1.5, 2.000001, Number.NaN, Infinity, -Infinity, 3n, "3", "", null, undefined, true, {}, [2], new Number(2)];

describe("native descriptor arguments", () => {
  for (const [name, call] of Object.entries(FD_FUNCTIONS)) {
    it(`${name} rejects every descriptor that is not an integer in 0..2147483647 with a TypeError`, () => {
      for (const bad of BAD_FDS) {
        const f = failure(() => call(bad));
        expect(f, `${name}(${typeof bad === "bigint" ? `${bad}n` : String(bad)})`).toMatchObject({ name: "TypeError" });
        expect(f.message).toBe(`${name}: fd must be an integer in 0..2147483647`);
      }
    });

    it(`${name} passes 0..2147483647 on to the system call (which then reports EBADF for a closed descriptor)`, () => {
      // 2147483647 is never open (above any RLIMIT_NOFILE), so the system call answers EBADF.
      const result = (() => {
        try {
          return call(2 ** 31 - 1);
        } catch (e) {
          return (e as { code?: string }).code;
        }
      })();
      expect([-9, "EBADF"]).toContain(result);
    });
  }

  it("dupFd(2**32 + 2) does not duplicate stderr", () => {
    // Before ABI 2 fdSize/closeFd took Int32Value(): 2**32+2 became descriptor 2.
    expect(failure(() => native.dupFd(2 ** 32 + 2)).name).toBe("TypeError");
  });
});

describe("native path arguments", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "nova-args-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("mkfifo rejects a path containing NUL with a TypeError and creates nothing", () => {
    // mkfifo(3) would stop at the NUL and create <dir>/a.
    for (const path of [join(dir, "a\0b"), join(dir, "a\0"), "\0"]) {
      expect(failure(() => native.mkfifo(path, 0o600))).toMatchObject({ name: "TypeError", message: "mkfifo: path must be a string without NUL" });
    }
    expect(existsSync(join(dir, "a"))).toBe(false);
  });

  it("mkfifo rejects a path that is not a string, and a mode outside 0..0o7777 instead of masking it", () => {
    for (const bad of [undefined, 42, Buffer.from("x"), { toString: () => join(dir, "x") }]) {
      expect(failure(() => (native.mkfifo as Raw)(bad, 0o600)).name).toBe("TypeError");
    }
    // 2**32 + 0o600 used to be masked to 0o600 (Uint32Value() & 07777).
    for (const mode of [-1, 0o10000, 2 ** 32 + 0o600, 1.5, Number.NaN]) {
      expect(failure(() => native.mkfifo(join(dir, "m"), mode)).name).toBe("RangeError");
    }
    expect(failure(() => (native.mkfifo as Raw)(join(dir, "m"), "384")).name).toBe("TypeError");
    expect(existsSync(join(dir, "m"))).toBe(false);
    native.mkfifo(join(dir, "m"), 0o600);
    expect(statSync(join(dir, "m")).isFIFO()).toBe(true);
  });
});
