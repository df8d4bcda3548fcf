/**
 * Typed façade over the `nova_native` C++ addon (native/src). It loads the
 * compiled binary once, validates arguments and turns native failures into
 * {@link IPCError}s with `errno` and `syscall` in their context.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { IPCError } from "../runtime/errors.js";

/**
 * The raw shape of the addon's exports at ABI {@link EXPECTED_ABI}. Keep in
 * sync with native/src/addon.cc: every function here exists in any addon that
 * loads, since {@link loadNative} refuses another ABI version.
 */
export interface NativeBinding {
  readonly abiVersion: number;
  mkfifo(path: string, mode: number): void;
  dupFd(fd: number): number;
  peerCredentials(fd: number): PeerCredentials;
  writeFd(fd: number, buf: Uint8Array, start: number, end: number): number;
  scanFrames(buf: Uint8Array, start: number, end: number, maxPayload: number): number;
  sealFrames(buf: Uint8Array, start: number, end: number): number;
}

/** The ABI version native/src/addon.cc reports (kAbiVersion); bumped with every change of its exports. */
const EXPECTED_ABI = 2;
let cached: NativeBinding | undefined;

/** The package root: native/index.ts lives at <root>/native or <root>/dist/native. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "native", "binding.gyp"))) return dir;
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), "..");
}

/** Loads the addon, or throws an IPCError that says how to rebuild it. */
export function loadNative(): NativeBinding {
  if (cached) return cached;
  const root = packageRoot();
  const candidates = [join(root, "native", "build", "Release", "nova_native.node"), join(root, "native", "build", "Debug", "nova_native.node")];
  const file = candidates.find((c) => existsSync(c));
  if (!file) {
    throw new IPCError(
      "NativeError",
      `the native addon is not built (looked for ${candidates[0]}). Rebuild it with \`npm run build:native\` (needs python3, make, g++ and Node's headers; .npmrc sets nodedir=/usr).`,
      { context: { candidates } },
    );
  }
  const require = createRequire(import.meta.url);
  let binding: NativeBinding;
  try {
    binding = require(file) as NativeBinding;
  } catch (cause) {
    throw new IPCError("NativeError", `the native addon at ${file} failed to load; rebuild it with \`npm run build:native\``, {
      cause,
      context: { file },
    });
  }
  if (binding.abiVersion !== EXPECTED_ABI) {
    throw new IPCError("NativeError", `the native addon at ${file} has ABI ${binding.abiVersion}, expected ${EXPECTED_ABI}; rebuild it with \`npm run build:native\``, {
      context: { file },
    });
  }
  cached = binding;
  return binding;
}

interface NativeErrorShape {
  code?: string;
  errno?: number;
  syscall?: string;
  message: string;
}

/** Wraps a native call so that failures become IPCErrors with errno/syscall context. */
function callNative<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof IPCError) throw cause;
    const e = cause as NativeErrorShape;
    const code = e.code === "ENOMEM" || e.code === "EMFILE" || e.code === "ENFILE" || e.code === "ENOSPC" ? "InsufficientResources" : "NativeError";
    throw new IPCError(code, `${what}: ${e.message}`, { cause, context: { errno: e.errno, syscall: e.syscall, errnoName: e.code } });
  }
}

/** Creates a named pipe with mkfifo(3); throws an IPCError (InvalidArgument, or NativeError with errno). */
export function mkfifo(path: string, mode: number): void {
  if (typeof path !== "string" || path.length === 0 || path.includes("\0")) {
    throw new IPCError("InvalidArgument", `mkfifo: path must be a non-empty string without NUL, got ${JSON.stringify(path)}`);
  }
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new IPCError("InvalidArgument", `mkfifo: mode must be an integer in 0..0o7777, got ${String(mode)}`);
  }
  const native = loadNative();
  callNative("mkfifo", () => native.mkfifo(path, mode));
}

/** The addon's batched frame checks (see {@link nativeFrames}). */
export interface NativeFrames {
  /**
   * Walks frames from `start` and returns the offset of the first position
   * that does not begin a GOOD frame: magic "NOVA", major version 1, payload
   * length <= `maxPayload` (0..2^32-1), complete before `end`, stored CRC
   * (bytes 36..39, LE) equal to the CRC of idl/WIRE.md §4. Returns `start`
   * when the first frame is bad or incomplete, `end` when [start, end) is all
   * good frames. Message type and flags are NOT checked. Reads only
   * [start, end); never writes. Throws TypeError/RangeError for a `buf` that
   * is not a Uint8Array or for indices outside 0 <= start <= end <= length.
   */
  scanFrames(buf: Uint8Array, start: number, end: number, maxPayload: number): number;
  /**
   * Computes each frame's CRC (bytes 36..39 taken as zero) and stores it LE
   * at 36..39, for [start, end) laid out as complete frames back to back.
   * Returns the number of frames sealed, or -1 having written nothing when
   * the payload lengths do not tile [start, end) exactly. Throws like
   * {@link NativeFrames.scanFrames} for bad arguments.
   */
  sealFrames(buf: Uint8Array, start: number, end: number): number;
}

/**
 * A getter for a group of addon functions, resolved on its first call and
 * cached: undefined when the addon is missing, fails to load or has another
 * ABI, or when the environment variable `disableVar` is "1" (read on the
 * first call). Never throws and never logs: callers have a fallback.
 */
function optionalFunctions<T>(disableVar: string, pick: (binding: NativeBinding) => T): () => T | undefined {
  let resolved = false;
  let value: T | undefined;
  return () => {
    if (resolved) return value;
    resolved = true;
    if (process.env[disableVar] === "1") return undefined;
    try {
      value = pick(loadNative());
    } catch {
      value = undefined;
    }
    return value;
  };
}

/**
 * The native batched frame checks, or undefined (see optionalFunctions);
 * `NOVA_NO_NATIVE_FRAMES=1` disables them so that tests and benchmarks can
 * measure the JS fallback. The members are the raw bound addon functions (no
 * wrapper on the hot path): pass only valid arguments, as a bad one throws a
 * plain TypeError/RangeError, not an IPCError. No alignment of `buf` or of
 * any frame is assumed.
 */
export const nativeFrames: () => NativeFrames | undefined = optionalFunctions("NOVA_NO_NATIVE_FRAMES", ({ scanFrames, sealFrames }) => ({ scanFrames, sealFrames }));

/** Credentials of the process at the other end of a Unix socket, as the kernel recorded them at connect time. */
export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The addon's socket functions (see {@link nativeSockets}). A descriptor that
 * is not a number holding an integer in 0..2147483647 is a TypeError.
 */
export interface NativeSockets {
  /** A close-on-exec duplicate of `fd` (fcntl F_DUPFD_CLOEXEC); throws a plain Error with errno/syscall. */
  dupFd(fd: number): number;
  /** getsockopt(SO_PEERCRED) of a connected Unix socket; throws a plain Error with errno/syscall. */
  peerCredentials(fd: number): PeerCredentials;
}

/**
 * The addon's socket functions, or undefined (see optionalFunctions);
 * `NOVA_NO_NATIVE_SOCKETS=1` disables them (listeners then keep Node's
 * sockets; for tests of that path).
 */
export const nativeSockets: () => NativeSockets | undefined = optionalFunctions("NOVA_NO_NATIVE_SOCKETS", ({ dupFd, peerCredentials }) => ({ dupFd, peerCredentials }));

/** The addon's direct write (see {@link nativeWrites}). */
export interface NativeWrites {
  /**
   * One non-blocking write of `buf[start, end)` to `fd` (retried on EINTR
   * only): send(2) with MSG_NOSIGNAL on a socket, so a vanished peer is
   * -EPIPE and never a SIGPIPE; write(2) on a FIFO, where Node's default
   * SIGPIPE disposition (ignore) does the same. Returns the number of bytes
   * the kernel took, or -errno (-EAGAIN: none, the buffer is full). Throws
   * TypeError (fd not an integer in 0..2147483647, buf not a Uint8Array) or
   * RangeError (start/end outside the buffer) for bad arguments only.
   */
  writeFd(fd: number, buf: Uint8Array, start: number, end: number): number;
}

/**
 * The addon's direct write, or undefined (see optionalFunctions);
 * `NOVA_NO_NATIVE_WRITE=1` disables it (channels then write through Node's
 * Writable stream only; for tests and benchmarks of that path).
 */
export const nativeWrites: () => NativeWrites | undefined = optionalFunctions("NOVA_NO_NATIVE_WRITE", ({ writeFd }) => ({ writeFd }));
