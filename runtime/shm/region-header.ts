/**
 * The on-disk (in-memory) format of a shared-memory region and the checks
 * around it: the 4 KiB header (magic, version, size, references, the owner
 * table), naming, and the file checks. Layout: runtime/shm/README.md
 * "Region header". Used by region.ts (the handles) and region-admin.ts
 * (listing and cleanup).
 */
import { type Stats } from "node:fs";
import { join } from "node:path";
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

export const MAGIC = 0x4d48534e; // "NSHM" little-endian
export const VERSION = 1;
/** Int32 indices of the header fields (README: "Region header"). */
export const H = { magic: 0, version: 1, sizeLo: 2, sizeHi: 3, refs: 4, ready: 5, headerBytes: 6, creatorPid: 7, owners: 16 } as const;
/** Int32s per owner slot: pid, start time (uint32), reserved ×2. */
export const OWNER_WORDS = 4;
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

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

export function uid(): number {
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

export function checkName(name: string): void {
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw new IPCError("InvalidArgument", `a region name is 1..200 of [A-Za-z0-9._-], starting with a letter or digit; got ${JSON.stringify(name)}`, {
      context: { name },
    });
  }
}

export function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_REGION_BYTES) {
    throw new IPCError("InvalidArgument", `a region's size is an integer in 1..${MAX_REGION_BYTES} bytes, got ${size}`, { context: { size } });
  }
}

/** Rounds up to whole pages, so that the usable memory ends on a page boundary. */
export function mappedBytes(size: number): number {
  return REGION_HEADER_BYTES + Math.ceil(size / 4096) * 4096;
}

/** Claims a free owner slot (pid 0) for this process and counts the reference. */
export function takeOwnerSlot(header: Int32Array, where: string): number {
  for (let slot = 0; slot < MAX_REGION_OWNERS; slot++) {
    const base = H.owners + slot * OWNER_WORDS;
    if (Atomics.compareExchange(header, base, 0, process.pid) === 0) {
      Atomics.store(header, base + 1, ownStartTime() | 0);
      Atomics.add(header, H.refs, 1);
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
export function reclaimDeadOwners(header: Int32Array): number[] {
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

export function writeHeader(header: Int32Array, size: number): void {
  header[H.version] = VERSION;
  header[H.sizeLo] = size % 2 ** 32 | 0;
  header[H.sizeHi] = Math.floor(size / 2 ** 32);
  header[H.headerBytes] = REGION_HEADER_BYTES;
  header[H.creatorPid] = process.pid;
  Atomics.store(header, H.magic, MAGIC);
}

/** Publishes a header written by {@link writeHeader}: set after the creator took its owner slot, so a region is never seen ready and ownerless (stale). */
export function markReady(header: Int32Array): void {
  Atomics.store(header, H.ready, 1);
}

/** The usable size recorded in a header, or undefined when it is not a valid region header for a file of `fileBytes`. */
export function headerSize(header: Int32Array, fileBytes: number): number | undefined {
  if (Atomics.load(header, H.magic) !== MAGIC || header[H.version] !== VERSION || header[H.headerBytes] !== REGION_HEADER_BYTES) return undefined;
  if (Atomics.load(header, H.ready) !== 1) return undefined;
  const size = (header[H.sizeLo] >>> 0) + header[H.sizeHi] * 2 ** 32;
  if (!(size >= 1 && mappedBytes(size) <= fileBytes)) return undefined;
  return size;
}

export function notARegion(path: string, why: string): IPCError {
  return new IPCError("RegionNotFound", `${path} is not a NovaDE shared-memory region: ${why}`, { context: { path } });
}

/** Checks that an opened region file is ours and private: a regular file of this user, no group/other access. */
export function checkFile(path: string, st: Stats): void {
  if (!st.isFile()) throw notARegion(path, "not a regular file");
  if (st.uid !== uid()) throw notARegion(path, `owned by uid ${st.uid}, not ${uid()}`);
  if ((st.mode & 0o077) !== 0) throw notARegion(path, `mode ${(st.mode & 0o777).toString(8)} gives access to group or others`);
  if (st.size < REGION_HEADER_BYTES + 4096) throw notARegion(path, `only ${st.size} bytes`);
}


export function fsError(message: string, error: unknown, context: Record<string, unknown>): IPCError {
  const code = (error as NodeJS.ErrnoException).code;
  const resources = code === "ENOSPC" || code === "ENOMEM" || code === "EMFILE" || code === "ENFILE";
  return new IPCError(resources ? "InsufficientResources" : "NativeError", `${message}: ${(error as Error).message}`, {
    cause: error,
    context: { ...context, errnoName: code },
  });
}
