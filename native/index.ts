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
  memfdCreate: ShmNative["memfdCreate"];
  mapFd: ShmNative["mapFd"];
  futexWake: ShmNative["futexWake"];
  futexWaitSync: ShmNative["futexWaitSync"];
  futexWait: ShmNative["futexWait"];
  futexCancel: ShmNative["futexCancel"];
  eventfdCreate: ShmNative["eventfdCreate"];
  eventfdSignal: ShmNative["eventfdSignal"];
  watchFd: ShmNative["watchFd"];
  unwatchFd: ShmNative["unwatchFd"];
  refWatch: ShmNative["refWatch"];
  sendFds: ShmNative["sendFds"];
  schedYield: ShmNative["schedYield"];
  sealSize: ShmNative["sealSize"];
  sizeSealed: ShmNative["sizeSealed"];
  recvFds: ShmNative["recvFds"];
  recvFdsInto: ShmNative["recvFdsInto"];
  flock: NativeSockets["flock"];
  watchEvents: ShmNative["watchEvents"];
  socketPair: ShmNative["socketPair"];
  connectUnix: ShmNative["connectUnix"];
}

/** The ABI version native/src/addon.cc reports (kAbiVersion); bumped with every change of its exports. */
const EXPECTED_ABI = 8;
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
  /**
   * flock(2) of `fd` with LOCK_NB: LOCK_EX, LOCK_SH or LOCK_UN. True when taken (or released),
   * false when another open file description holds a conflicting lock (EWOULDBLOCK); never
   * blocks. Other failures (EBADF, ENOLCK …) throw a plain Error with errno/syscall; an unknown
   * operation is a TypeError. The lock belongs to the open file description, so it lasts until
   * its last descriptor closes (or "unlock"), and the kernel drops it when the process dies:
   * libwayland's display lock (wl_socket_lock takes `<display>.lock` with LOCK_EX|LOCK_NB).
   */
  flock(fd: number, operation: "exclusive" | "shared" | "unlock"): boolean;
}

/**
 * The addon's socket functions, or undefined (see optionalFunctions);
 * `NOVA_NO_NATIVE_SOCKETS=1` disables them (listeners then keep Node's
 * sockets; for tests of that path).
 */
export const nativeSockets: () => NativeSockets | undefined = optionalFunctions("NOVA_NO_NATIVE_SOCKETS", ({ dupFd, peerCredentials, flock }) => ({ dupFd, peerCredentials, flock }));

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

/** What a futex wait ends with. "cancelled" only for {@link ShmNative.futexWait} after futexCancel. */
export type FutexWaitResult = "ok" | "not-equal" | "timed-out" | "cancelled";

/**
 * The addon's shared-memory, futex, doorbell and descriptor-passing functions
 * (native/src/shm.cc, futex.cc, watch.cc, fdpass.cc): what runtime/shm,
 * runtime/sync and the shm transport stand on. The members are the raw bound
 * addon functions: a bad argument is a plain TypeError/RangeError, a failed
 * system call a plain Error with `code`, `errno` and `syscall`
 * ({@link callNativeShm} turns that into an IPCError).
 */
export interface ShmNative {
  /** memfd_create(MFD_CLOEXEC|MFD_ALLOW_SEALING) + ftruncate(size): an anonymous shared file, passable over SCM_RIGHTS. */
  memfdCreate(name: string, size: number): number;
  /**
   * mmap of the first `size` bytes of `fd` as a SharedArrayBuffer: MAP_SHARED,
   * or MAP_PRIVATE (copy on write) with `cow`. Unmapped when the buffer is
   * garbage collected in every thread; `fd` may be closed at once. RangeError
   * when the file is shorter than `size` (a later access would be SIGBUS).
   */
  mapFd(fd: number, size: number, cow: boolean): SharedArrayBuffer;
  /** FUTEX_WAKE (shared: other processes' waiters too) on `view[index]`; the number of waiters woken. */
  futexWake(view: Int32Array, index: number, count: number): number;
  /** FUTEX_WAIT on the calling thread while `view[index] === expected`: blocks it (worker threads only). */
  futexWaitSync(view: Int32Array, index: number, expected: number, timeoutMs: number): Exclude<FutexWaitResult, "cancelled">;
  /**
   * The same wait on an addon thread: the event loop never blocks; `callback`
   * runs on the loop afterwards (microtasks run after it). Returns the wait id.
   * The loop stays alive while a wait is pending. `timeoutMs` Infinity (or
   * ≥ 2^31) waits without limit.
   */
  futexWait(view: Int32Array, index: number, expected: number, timeoutMs: number, callback: (result: FutexWaitResult) => void): number;
  /** Ends a pending futexWait with "cancelled" (no-op once it completed). */
  futexCancel(waitId: number): void;
  /** eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK): a doorbell. */
  eventfdCreate(): number;
  /** Rings a doorbell (write 1). */
  eventfdSignal(fd: number): void;
  /**
   * A uv_poll for readability (events bit 1) and hang-up/error (bit 2) of
   * `fd` on this thread's loop; with `drainEventfd` the eventfd counter is
   * reset before `callback` runs. Keep `fd` open until {@link unwatchFd}.
   * {@link watchEvents} adds writability (bit 4).
   */
  watchFd(fd: number, drainEventfd: boolean, callback: (events: number) => void): number;
  /**
   * Sets what a watch polls for: `mask` bit 1 readability (with hang-up/error),
   * bit 4 writability; 0 pauses it. A writer that met EAGAIN adds 4 and drops
   * it once flushed (libuv allows one poll per descriptor, so reading and
   * writing share one watch). Unknown ids are ignored.
   */
  watchEvents(watchId: number, mask: number): void;
  /** Stops a watch; no callback runs after it returns. */
  unwatchFd(watchId: number): void;
  /** Whether a watch keeps the loop alive (default true). */
  refWatch(watchId: number, ref: boolean): void;
  /** Seals a memfd's size (F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_SEAL): no holder can shrink it under a peer's mapping (SIGBUS). */
  sealSize(fd: number): void;
  /** Whether `fd`'s seals forbid shrinking it (a memfd from a peer must be, before it is mapped). */
  sizeSealed(fd: number): boolean;
  /** sched_yield(2): lets another runnable thread on this CPU run (a spinning loop's courtesy to a peer on the same CPU). */
  schedYield(): void;
  /**
   * One non-blocking sendmsg of `data[start, end)` (default: all) with `fds`
   * as SCM_RIGHTS (≤ 253, Linux's SCM_MAX_FD); bytes sent or -errno. When any
   * byte was sent, all of `fds` went with the first one.
   */
  sendFds(socketFd: number, data: Uint8Array, fds: number[], start?: number, end?: number): number;
  /**
   * One non-blocking recvmsg (CLOEXEC) into `buf[start, end)` (default: all):
   * bytes > 0 data, 0 end of stream, < 0 -errno; and the descriptors received
   * (room for 253, so none is ever lost to truncation).
   */
  recvFds(socketFd: number, buf: Uint8Array, start?: number, end?: number): { bytes: number; fds: number[] };
  /**
   * {@link recvFds} without a result object per call, for read loops (a Wayland or D-Bus
   * connection's): the same recvmsg into `buf[start, end)`, returning bytes (> 0 data, 0 end of
   * stream, < 0 -errno). The descriptors go to the caller's reusable `fdsOut`: their count to
   * `fdsOut[0]` (0 when none came, and after any error), the descriptors to
   * `fdsOut[1 .. count]`. `fdsOut` needs at least 254 elements (1 + 253), a RangeError
   * otherwise, so that no descriptor is ever lost. Read them out before the next call.
   */
  recvFdsInto(socketFd: number, buf: Uint8Array, start: number, end: number, fdsOut: Int32Array): number;
  /** socketpair(AF_UNIX, SOCK_STREAM) with SOCK_NONBLOCK|SOCK_CLOEXEC: two connected ends. */
  socketPair(): [number, number];
  /**
   * A Unix stream socket (SOCK_NONBLOCK|SOCK_CLOEXEC) connected to the path
   * `name`, or with `abstract` to the abstract name `name` (a string is taken
   * as UTF-8, a Uint8Array byte for byte) with the exact sockaddr length, as
   * dbus-daemon binds it: Node's net pads an abstract name with NULs to 108
   * bytes, which names another socket. Never blocks (Linux completes or
   * refuses a Unix connect at once). Throws an Error with `code`: ENOENT /
   * ECONNREFUSED (nothing listens), EAGAIN (the listener's backlog is full;
   * connect again later), ENAMETOOLONG (over 107 bytes).
   */
  connectUnix(name: string | Uint8Array, abstract: boolean): number;
}

/** The length `fdsOut` of {@link ShmNative.recvFdsInto} needs: the count, then up to 253 descriptors (SCM_MAX_FD). */
export const RECV_FDS_OUT_LENGTH = 254;

/**
 * The addon's shared-memory functions; throws an IPCError (NativeError) that
 * says how to build the addon when it is missing: shared memory has no
 * JavaScript fallback.
 */
export function nativeShm(): ShmNative {
  return loadNative();
}

/** Runs a native shared-memory call, turning a failed system call into an IPCError (see callNative). */
export function callNativeShm<T>(what: string, fn: () => T): T {
  return callNative(what, fn);
}
