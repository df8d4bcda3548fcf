/**
 * Listing and cleaning this user's named regions (`nova shm ls`, `nova shm
 * rm`, and the stale-region reclaim of createRegion): reads headers without
 * taking a reference, reclaims dead owners' references on the way.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { callNativeShm, nativeShm } from "../../native/index.js";
import { IPCError } from "../errors.js";
import { checkFile, fsError, H, headerSize, reclaimDeadOwners, regionPath, regionPrefix, REGION_HEADER_BYTES, SHM_DIR, type RegionInfo } from "./region-header.js";

/**
 * Unlinks the region file at `path` when no live process holds it. Returns
 * true when it is gone (removed now or already). A file that is not a
 * region (or not ours) is left alone.
 */
export function reclaimIfStale(path: string): boolean {
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

