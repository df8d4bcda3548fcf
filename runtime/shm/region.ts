/**
 * Shared-memory regions (spec 3.1.2, 6.2.2, 6.4.1): memory that several
 * processes map, seen in each as one SharedArrayBuffer, so that plain
 * `Atomics` and typed arrays work on it.
 *
 * A named region is the file /dev/shm/nova-<uid>-<name> (mode 0600, created
 * with O_EXCL|O_NOFOLLOW; opened only when it is a regular file owned by this
 * user with no group/other bits). An anonymous region is a memfd, shared by
 * passing its descriptor over a Unix socket (SCM_RIGHTS). Either way the
 * first 4 KiB are the region's own header (layout in runtime/shm/README.md):
 * magic, version, size, a reference count and a table of the owner processes
 * (pid + start time). Every {@link SharedRegion} handle holds one owner slot
 * and one reference; {@link SharedRegion.close} gives both back, and the last
 * one out unlinks the file. A process that dies without closing (SIGKILL)
 * leaves its slot behind: whoever next creates, opens or lists the region
 * sees that the slot's process is gone, drops its reference, and unlinks a
 * region nobody alive holds. `nova shm ls` / `nova shm rm` show and clean them.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, statSync, unlinkSync, type Stats } from "node:fs";
import { ftruncateSync } from "node:fs";
import { join } from "node:path";
import { callNativeShm, nativeShm } from "../../native/index.js";
import { IPCError } from "../errors.js";
import { ownStartTime, processAlive } from "./process-identity.js";

/** Where named regions live (Linux's POSIX shared-memory file system). */
export const SHM_DIR = "/dev/shm";
/** Bytes before a region's usable memory: the header. */
export const REGION_HEADER_BYTES = 4096;
/** The largest usable size accepted (64 GiB; the issue asks for at least 1 GiB). */
export const MAX_REGION_BYTES = 64 * 1024 * 1024 * 1024;
/** Owner slots in the header: handles open at once on one region, over all processes. */
export const MAX_REGION_OWNERS = 240;

const MAGIC = 0x4d48534e; // "NSHM" little-endian
const VERSION = 1;
/** Int32 indices of the header fields (README: "Region header"). */
const H = { magic: 0, version: 1, sizeLo: 2, sizeHi: 3, refs: 4, ready: 5, headerBytes: 6, creatorPid: 7, owners: 16 } as const;
/** Int32s per owner slot: pid, start time (uint32), reserved ×2. */
const OWNER_WORDS = 4;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Options of {@link createRegion}. */
export interface CreateRegionOptions {
  /** File mode (default 0o600); group/other bits are refused by {@link openRegion}, so keep it 0600 unless you open it differently. */
  mode?: number;
}

/** An entry of {@link listRegions}. */
export interface RegionInfo {
  readonly name: string;
  readonly path: string;
  /** Usable bytes (the header excluded); undefined when the file is not a valid region. */
  readonly size?: number;
  /** References held by live processes. */
  readonly refs: number;
  /** Pids of the live owners. */
  readonly owners: readonly number[];
  /** True when no live process holds it (left behind by a crash). */
  readonly stale: boolean;
}

function uid(): number {
  return process.getuid?.() ?? 0;
}

/** The prefix of this user's region files: nova-<uid>-. */
export function regionPrefix(): string {
  return `nova-${uid()}-`;
}

/** The file of the named region `name`. */
export function regionPath(name: string): string {
  checkName(name);
  return join(SHM_DIR, `${regionPrefix()}${name}`);
}

function checkName(name: string): void {
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw new IPCError("InvalidArgument", `a region name is 1..200 of [A-Za-z0-9._-], starting with a letter or digit; got ${JSON.stringify(name)}`, {
      context: { name },
    });
  }
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_REGION_BYTES) {
    throw new IPCError("InvalidArgument", `a region's size is an integer in 1..${MAX_REGION_BYTES} bytes, got ${size}`, { context: { size } });
  }
}

/** Rounds up to whole pages, so that the usable memory ends on a page boundary. */
function mappedBytes(size: number): number {
  return REGION_HEADER_BYTES + Math.ceil(size / 4096) * 4096;
}

/** A mapped region; see the file comment. */
export class SharedRegion {
  /** The whole mapping (header included): index it from {@link dataOffset}. */
  readonly buffer: SharedArrayBuffer;
  /** The first usable byte of {@link buffer}. */
  readonly dataOffset = REGION_HEADER_BYTES;
  #fd: number | undefined;
  #slot: number;
  readonly #header: Int32Array;

  /** @internal Use {@link createRegion}, {@link openRegion}, {@link createAnonymousRegion} or {@link openRegionFromFd}. */
  constructor(
    /** The name (named regions), else undefined. */
    readonly name: string | undefined,
    /** The file (named regions), else undefined. */
    readonly path: string | undefined,
    /** Usable bytes. */
    readonly size: number,
    fd: number,
    buffer: SharedArrayBuffer,
  ) {
    this.#fd = fd;
    this.buffer = buffer;
    this.#header = new Int32Array(buffer, 0, REGION_HEADER_BYTES / 4);
    this.#slot = takeOwnerSlot(this.#header, path ?? "(anonymous)");
    live.add(this);
  }

  /** The descriptor (pass it over SCM_RIGHTS to share an anonymous region); undefined once closed. */
  get fd(): number | undefined {
    return this.#fd;
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.#fd === undefined;
  }

  /** The usable memory as bytes (a view from {@link dataOffset}). */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer, this.dataOffset, this.size);
  }

  /** References currently held, over all processes (live or not yet reclaimed). */
  get refs(): number {
    return Atomics.load(this.#header, H.refs);
  }

  /**
   * A copy-on-write snapshot of the usable memory as it is now and as others
   * change it until this process writes a page: MAP_PRIVATE of the same file
   * (spec 3.1.2 copy-on-write). Writes to it stay private. Returns a view
   * whose byte 0 is the region's first usable byte.
   */
  snapshot(): Uint8Array {
    const fd = this.#requireOpen();
    const sab = callNativeShm("mmap (MAP_PRIVATE)", () => nativeShm().mapFd(fd, REGION_HEADER_BYTES + this.size, true));
    return new Uint8Array(sab, REGION_HEADER_BYTES, this.size);
  }

  /**
   * Gives back this handle's reference and owner slot; the last reference
   * unlinks a named region's file. The memory stays mapped while JS still
   * references {@link buffer} (it is unmapped when that is garbage
   * collected), so a late access reads stale data and never crashes.
   * Idempotent.
   */
  close(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    live.delete(this);
    const base = H.owners + this.#slot * OWNER_WORDS;
    Atomics.store(this.#header, base + 1, 0);
    Atomics.store(this.#header, base, 0);
    let left = Atomics.sub(this.#header, H.refs, 1) - 1;
    // References of owners that died without closing (SIGKILL) do not keep the region alive.
    if (left > 0) {
      reclaimDeadOwners(this.#header);
      left = Atomics.load(this.#header, H.refs);
    }
    if (left <= 0 && this.path !== undefined) unlinkIfSame(this.path, fd);
    closeSync(fd);
  }

  #requireOpen(): number {
    if (this.#fd === undefined) throw new IPCError("InvalidArgument", `region ${this.name ?? "(anonymous)"} is closed`, { context: { name: this.name } });
    return this.#fd;
  }
}

/** Every open handle of this process, closed at exit (spec: cleanup at process end). */
const live = new Set<SharedRegion>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const region of [...live]) region.close();
  });
}

/** Unlinks `path` only if it is still the file `fd` refers to (not a region created anew under the name since). */
function unlinkIfSame(path: string, fd: number): void {
  try {
    const a = fstatSync(fd);
    const b = statSync(path);
    if (a.ino === b.ino && a.dev === b.dev) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Claims a free owner slot (pid 0) for this process and counts the reference. */
function takeOwnerSlot(header: Int32Array, where: string): number {
  for (let slot = 0; slot < MAX_REGION_OWNERS; slot++) {
    const base = H.owners + slot * OWNER_WORDS;
    if (Atomics.compareExchange(header, base, 0, process.pid) === 0) {
      Atomics.store(header, base + 1, ownStartTime() | 0);
      Atomics.add(header, H.refs, 1);
      installExitHook();
      return slot;
    }
  }
  throw new IPCError("InsufficientResources", `region ${where} has all ${MAX_REGION_OWNERS} owner slots taken`, {
    context: { region: where, maxOwners: MAX_REGION_OWNERS },
  });
}

/**
 * Frees the slots of owners that are no longer alive (dropping their
 * references) and returns the live owners' pids. Each slot is freed by one
 * CAS, so two processes reclaiming at once never drop a reference twice.
 */
function reclaimDeadOwners(header: Int32Array): number[] {
  const alive: number[] = [];
  for (let slot = 0; slot < MAX_REGION_OWNERS; slot++) {
    const base = H.owners + slot * OWNER_WORDS;
    const pid = Atomics.load(header, base);
    if (pid === 0) continue;
    const start = Atomics.load(header, base + 1) >>> 0;
    if (processAlive(pid, start)) {
      alive.push(pid);
    } else if (Atomics.compareExchange(header, base, pid, 0) === pid) {
      Atomics.sub(header, H.refs, 1);
    }
  }
  return alive;
}

function writeHeader(header: Int32Array, size: number): void {
  header[H.version] = VERSION;
  header[H.sizeLo] = size % 2 ** 32 | 0;
  header[H.sizeHi] = Math.floor(size / 2 ** 32);
  header[H.headerBytes] = REGION_HEADER_BYTES;
  header[H.creatorPid] = process.pid;
  Atomics.store(header, H.magic, MAGIC);
}

/** Publishes a header written by {@link writeHeader}: set after the creator took its owner slot, so a region is never seen ready and ownerless (stale). */
function markReady(region: SharedRegion): void {
  Atomics.store(new Int32Array(region.buffer, 0, REGION_HEADER_BYTES / 4), H.ready, 1);
}

/** The usable size recorded in a header, or undefined when it is not a valid region header for a file of `fileBytes`. */
function headerSize(header: Int32Array, fileBytes: number): number | undefined {
  if (Atomics.load(header, H.magic) !== MAGIC || header[H.version] !== VERSION || header[H.headerBytes] !== REGION_HEADER_BYTES) return undefined;
  if (Atomics.load(header, H.ready) !== 1) return undefined;
  const size = (header[H.sizeLo] >>> 0) + header[H.sizeHi] * 2 ** 32;
  if (!(size >= 1 && mappedBytes(size) <= fileBytes)) return undefined;
  return size;
}

function notARegion(path: string, why: string): IPCError {
  return new IPCError("RegionNotFound", `${path} is not a NovaDE shared-memory region: ${why}`, { context: { path } });
}

/** Checks that an opened region file is ours and private: a regular file of this user, no group/other access. */
function checkFile(path: string, st: Stats): void {
  if (!st.isFile()) throw notARegion(path, "not a regular file");
  if (st.uid !== uid()) throw notARegion(path, `owned by uid ${st.uid}, not ${uid()}`);
  if ((st.mode & 0o077) !== 0) throw notARegion(path, `mode ${(st.mode & 0o777).toString(8)} gives access to group or others`);
  if (st.size < REGION_HEADER_BYTES + 4096) throw notARegion(path, `only ${st.size} bytes`);
}

/**
 * Creates the named region `name` with `size` usable bytes (spec 6.2.2),
 * zero-filled. A region of that name whose owners are all dead (a crash left
 * it) is reclaimed and replaced; a live one is RegionAlreadyExists.
 * InsufficientResources when /dev/shm is full.
 */
export function createRegion(name: string, size: number, options: CreateRegionOptions = {}): SharedRegion {
  checkSize(size);
  const path = regionPath(name);
  const mode = options.mode ?? 0o600;
  const bytes = mappedBytes(size);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && attempt < 2 && reclaimIfStale(path)) continue;
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new IPCError("RegionAlreadyExists", `shared-memory region ${name} already exists (${path}) and a live process holds it`, {
          cause: error,
          context: { name, path },
        });
      }
      throw fsError(`cannot create region ${name} at ${path}`, error, { name, path });
    }
    try {
      ftruncateSync(fd, bytes);
      const buffer = callNativeShm("mmap", () => nativeShm().mapFd(fd, bytes, false));
      writeHeader(new Int32Array(buffer, 0, REGION_HEADER_BYTES / 4), size);
      const region = new SharedRegion(name, path, size, fd, buffer);
      markReady(region);
      return region;
    } catch (error) {
      closeSync(fd);
      try {
        unlinkSync(path);
      } catch {
        // Nothing to undo.
      }
      throw error instanceof IPCError ? error : fsError(`cannot create region ${name} (${size} bytes)`, error, { name, size });
    }
  }
}

/** Opens the existing named region `name` (RegionNotFound when there is none). */
export function openRegion(name: string): SharedRegion {
  const path = regionPath(name);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new IPCError("RegionNotFound", `no shared-memory region ${name} (${path})`, { cause: error, context: { name, path } });
    }
    throw fsError(`cannot open region ${name} at ${path}`, error, { name, path });
  }
  try {
    return adopt(fd, name, path);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Creates an anonymous region (a memfd, its size sealed): share it by passing
 * {@link SharedRegion.fd} to {@link openRegionFromFd} in another process.
 */
export function createAnonymousRegion(size: number): SharedRegion {
  checkSize(size);
  const bytes = mappedBytes(size);
  const native = nativeShm();
  const fd = callNativeShm("memfd_create", () => native.memfdCreate("nova-region", bytes));
  try {
    // Whoever receives the descriptor can then trust the size: nobody can shrink it under a mapping.
    callNativeShm("fcntl(F_ADD_SEALS)", () => native.sealSize(fd));
    const buffer = callNativeShm("mmap", () => native.mapFd(fd, bytes, false));
    writeHeader(new Int32Array(buffer, 0, REGION_HEADER_BYTES / 4), size);
    const region = new SharedRegion(undefined, undefined, size, fd, buffer);
    markReady(region);
    return region;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Maps the region behind `fd` (received over SCM_RIGHTS, typically), after
 * checking that its size is sealed (F_SEAL_SHRINK: the sender cannot shrink
 * it under our mapping) and its header. Takes ownership of `fd`: it is closed by
 * {@link SharedRegion.close}, or at once when this throws.
 */
export function openRegionFromFd(fd: number): SharedRegion {
  try {
    return adopt(fd, undefined, undefined);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function adopt(fd: number, name: string | undefined, path: string | undefined): SharedRegion {
  const where = path ?? `descriptor ${fd}`;
  const st = fstatSync(fd);
  if (path !== undefined) checkFile(path, st);
  else if (!st.isFile() || st.size < REGION_HEADER_BYTES + 4096) throw notARegion(where, "not a shared-memory file of a region");
  // A descriptor from another process must have its size sealed: else that process could
  // shrink the file after we mapped it, and our next access would be SIGBUS.
  else if (!nativeShm().sizeSealed(fd)) throw notARegion(where, "its size is not sealed (F_SEAL_SHRINK): the sender could shrink it under our mapping");
  const head = callNativeShm("mmap", () => nativeShm().mapFd(fd, REGION_HEADER_BYTES, false));
  const size = headerSize(new Int32Array(head), st.size);
  if (size === undefined) throw notARegion(where, "no valid region header (bad magic, version or size, or still being created)");
  const buffer = callNativeShm("mmap", () => nativeShm().mapFd(fd, mappedBytes(size), false));
  reclaimDeadOwners(new Int32Array(buffer, 0, REGION_HEADER_BYTES / 4));
  return new SharedRegion(name, path, size, fd, buffer);
}

/**
 * Unlinks the region file at `path` when no live process holds it. Returns
 * true when it is gone (removed now or already). A file that is not a
 * region (or not ours) is left alone.
 */
function reclaimIfStale(path: string): boolean {
  const info = inspect(path);
  if (info === undefined) return true;
  if (!info.stale) return false;
  try {
    unlinkSync(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
  return true;
}

/** Reads one region file's header without taking a reference (undefined: gone). Reclaims dead owners' references. */
function inspect(path: string): RegionInfo | undefined {
  const name = path.slice(join(SHM_DIR, regionPrefix()).length);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return { name, path, refs: 0, owners: [], stale: false };
  }
  try {
    const st = fstatSync(fd);
    try {
      checkFile(path, st);
    } catch {
      return { name, path, refs: 0, owners: [], stale: false };
    }
    const header = new Int32Array(callNativeShm("mmap", () => nativeShm().mapFd(fd, REGION_HEADER_BYTES, false)));
    const size = headerSize(header, st.size);
    // A header not yet written: a region being created right now, unless the file is older than a second.
    if (size === undefined) return { name, path, refs: 0, owners: [], stale: Date.now() - st.mtimeMs > 1000 };
    const owners = reclaimDeadOwners(header);
    return { name, path, size, refs: Atomics.load(header, H.refs), owners, stale: owners.length === 0 };
  } finally {
    closeSync(fd);
  }
}

/** This user's named regions, with their live owners; dead owners' references are reclaimed on the way. */
export function listRegions(): RegionInfo[] {
  let entries: string[];
  try {
    entries = readdirSync(SHM_DIR);
  } catch {
    return [];
  }
  const prefix = regionPrefix();
  const out: RegionInfo[] = [];
  for (const entry of entries.sort()) {
    if (!entry.startsWith(prefix)) continue;
    const info = inspect(join(SHM_DIR, entry));
    if (info !== undefined) out.push(info);
  }
  return out;
}

/**
 * Removes the named region `name` (unlinks the file: processes that have it
 * mapped keep their memory). Without `force`, a region that a live process
 * holds is refused with RegionAlreadyExists. RegionNotFound when missing.
 */
export function removeRegion(name: string, force = false): void {
  const path = regionPath(name);
  const info = inspect(path);
  if (info === undefined) throw new IPCError("RegionNotFound", `no shared-memory region ${name} (${path})`, { context: { name, path } });
  if (!force && !info.stale) {
    throw new IPCError("RegionAlreadyExists", `region ${name} is held by live process(es) ${info.owners.join(", ")}; use force to remove it anyway`, {
      context: { name, path, owners: info.owners },
    });
  }
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw fsError(`cannot remove ${path}`, error, { name, path });
  }
}

/** Removes every stale region of this user (left by crashed processes); returns their names. */
export function removeStaleRegions(): string[] {
  const removed: string[] = [];
  for (const info of listRegions()) {
    if (info.stale && reclaimIfStale(info.path)) removed.push(info.name);
  }
  return removed;
}

function fsError(message: string, error: unknown, context: Record<string, unknown>): IPCError {
  const code = (error as NodeJS.ErrnoException).code;
  const resources = code === "ENOSPC" || code === "ENOMEM" || code === "EMFILE" || code === "ENFILE";
  return new IPCError(resources ? "InsufficientResources" : "NativeError", `${message}: ${(error as Error).message}`, {
    cause: error,
    context: { ...context, errnoName: code },
  });
}
