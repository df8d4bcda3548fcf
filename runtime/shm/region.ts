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
import { closeSync, constants, fstatSync, ftruncateSync, openSync, statSync, unlinkSync } from "node:fs";
import { callNativeShm, nativeShm } from "../../native/index.js";
import { IPCError } from "../errors.js";
import { reclaimIfStale } from "./region-admin.js";
import {
  checkFile,
  checkSize,
  fsError,
  H,
  headerSize,
  mappedBytes,
  markReady,
  notARegion,
  OWNER_WORDS,
  reclaimDeadOwners,
  REGION_HEADER_BYTES,
  regionPath,
  takeOwnerSlot,
  writeHeader,
} from "./region-header.js";

export { listRegions, removeRegion, removeStaleRegions } from "./region-admin.js";
export { MAX_REGION_BYTES, MAX_REGION_OWNERS, REGION_HEADER_BYTES, regionPath, regionPrefix, SHM_DIR, type RegionInfo } from "./region-header.js";

/** Options of {@link createRegion}. */
export interface CreateRegionOptions {
  /** File mode (default 0o600); group/other bits are refused by {@link openRegion}, so keep it 0600 unless you open it differently. */
  mode?: number;
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
    installExitHook();
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
      markReady(new Int32Array(region.buffer, 0, REGION_HEADER_BYTES / 4));
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
    markReady(new Int32Array(region.buffer, 0, REGION_HEADER_BYTES / 4));
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

