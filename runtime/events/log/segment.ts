/**
 * One segment on disk: its files, its index, and reading its bytes (plain or
 * zstd-archived). Writing belongs to event-log.ts.
 */
import { open, readFile, rename, rm, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { IPCError } from "../../errors.js";
import { zstdCompressAsync, zstdDecompressAsync } from "../../codec/zstd-sync.js";
import { ARCHIVE_SUFFIX, OFFSET_INDEX_SUFFIX, recordTimestamp, SEGMENT_SUFFIX, segmentStem, TEMP_SUFFIX, TIME_INDEX_SUFFIX } from "./format.js";
import { memorySource, scanSegment, type ByteSource } from "./scanner.js";
import { SegmentIndex } from "./segment-index.js";

/** A segment as the log tracks it. */
export interface SegmentInfo {
  base: number;
  /** True once its bytes live in `<stem>.seg.zst`. */
  archived: boolean;
  /** True for the one segment being appended to. */
  active: boolean;
  /** Loaded lazily for closed segments; always present for the active one. */
  index?: SegmentIndex;
  /** Bytes on disk (compressed size when archived), for retention. */
  diskBytes: number;
  /** When it was closed (ms since epoch), for retention by age; the file's mtime after a restart. */
  closedAtMs: number;
}

/** The path of a segment's file with `suffix`. */
export function segmentPath(dir: string, base: number, suffix: string): string {
  return join(dir, segmentStem(base) + suffix);
}

/** Wraps an fs failure as an IPCError (InsufficientResources: the store could not do its job). */
export function ioError(op: string, path: string, cause: unknown): IPCError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new IPCError("InsufficientResources", `event log: ${op} ${path} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
    cause,
    context: { op, path, errno: code },
  });
}

/** True for ENOENT. */
export function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/** An open reader on a segment's bytes; `close` releases the file. */
export interface SegmentReader {
  source: ByteSource;
  size: number;
  close(): Promise<void>;
}

/**
 * Opens a segment for reading, following it to its archive if it was archived
 * meanwhile. Undefined when neither file exists (deleted by retention).
 */
export async function openSegmentReader(dir: string, seg: SegmentInfo, maxArchiveBytes: number): Promise<SegmentReader | undefined> {
  if (!seg.archived) {
    let fh: FileHandle;
    try {
      fh = await open(segmentPath(dir, seg.base, SEGMENT_SUFFIX), "r");
    } catch (e) {
      if (!isMissing(e)) throw ioError("open", segmentPath(dir, seg.base, SEGMENT_SUFFIX), e);
      return openArchive(dir, seg.base, maxArchiveBytes);
    }
    const size = (await fh.stat()).size;
    return {
      source: { read: async (t, at, len, pos) => (await fh.read(t, at, len, pos)).bytesRead },
      size,
      close: () => fh.close(),
    };
  }
  return openArchive(dir, seg.base, maxArchiveBytes);
}

async function openArchive(dir: string, base: number, maxArchiveBytes: number): Promise<SegmentReader | undefined> {
  const path = segmentPath(dir, base, ARCHIVE_SUFFIX);
  let packed: Buffer;
  try {
    packed = await readFile(path);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw ioError("read", path, e);
  }
  // A segment is at most segmentBytes plus one batch; refuse to inflate more than the caller allows.
  const bytes = await zstdDecompressAsync(packed);
  if (bytes.length > maxArchiveBytes) {
    throw new IPCError("MessageTooLarge", `event log: archive ${path} inflates to ${bytes.length} bytes`, { context: { path, limit: maxArchiveBytes } });
  }
  return { source: memorySource(bytes), size: bytes.length, close: async () => {} };
}

/** Writes `data` to `path` durably and atomically (temp file, fsync, rename). */
export async function writeFileAtomic(path: string, data: Uint8Array, sync: boolean): Promise<void> {
  const tmp = path + TEMP_SUFFIX;
  try {
    await writeFile(tmp, data);
    if (sync) {
      const fh = await open(tmp, "r+");
      try {
        await fh.datasync();
      } finally {
        await fh.close();
      }
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw ioError("write", path, e);
  }
}

/** Writes a closed segment's two index files. */
export async function writeIndexFiles(dir: string, index: SegmentIndex, sync: boolean): Promise<void> {
  await writeFileAtomic(segmentPath(dir, index.base, OFFSET_INDEX_SUFFIX), index.encodeOffsetIndex(), sync);
  await writeFileAtomic(segmentPath(dir, index.base, TIME_INDEX_SUFFIX), index.encodeTimeIndex(), sync);
}

/** Compresses a closed segment into `<stem>.seg.zst` and removes the plain file. Returns the archive size. */
export async function archiveSegment(dir: string, base: number, level: number, sync: boolean): Promise<number> {
  const plain = segmentPath(dir, base, SEGMENT_SUFFIX);
  let bytes: Buffer;
  try {
    bytes = await readFile(plain);
  } catch (e) {
    throw ioError("read", plain, e);
  }
  const packed = await zstdCompressAsync(bytes, level);
  await writeFileAtomic(segmentPath(dir, base, ARCHIVE_SUFFIX), packed, sync);
  await rm(plain, { force: true });
  return packed.length;
}

/** Deletes every file of a segment. */
export async function deleteSegmentFiles(dir: string, base: number): Promise<void> {
  for (const suffix of [SEGMENT_SUFFIX, ARCHIVE_SUFFIX, OFFSET_INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    await rm(segmentPath(dir, base, suffix), { force: true });
  }
}

/**
 * The index of a closed segment: from its files, or rebuilt by scanning
 * (and rewritten) when they are missing or damaged.
 */
export async function loadIndex(dir: string, seg: SegmentInfo, intervalBytes: number, maxMessageSize: number, maxArchiveBytes: number): Promise<SegmentIndex> {
  if (seg.index !== undefined) return seg.index;
  try {
    const [idx, tix] = await Promise.all([readFile(segmentPath(dir, seg.base, OFFSET_INDEX_SUFFIX)), readFile(segmentPath(dir, seg.base, TIME_INDEX_SUFFIX))]);
    const parsed = SegmentIndex.decode(seg.base, intervalBytes, idx, tix);
    if (parsed !== undefined) {
      seg.index = parsed;
      return parsed;
    }
  } catch (e) {
    if (!isMissing(e)) throw ioError("read index of", segmentPath(dir, seg.base, SEGMENT_SUFFIX), e);
  }
  const index = new SegmentIndex(seg.base, intervalBytes);
  const reader = await openSegmentReader(dir, seg, maxArchiveBytes);
  if (reader !== undefined) {
    try {
      for await (const item of scanSegment(reader.source, { from: 0, limit: reader.size, minOffset: seg.base, maxMessageSize })) {
        if (item.kind === "record") index.add(item.offset, item.pos, item.length, recordTimestamp(item.bytes, item.start));
      }
    } finally {
      await reader.close();
    }
    await writeIndexFiles(dir, index, false).catch(() => undefined); // only a cache: a failed rewrite is retried next time
  }
  seg.index = index;
  return index;
}

/** Makes a new file's directory entry durable. */
export async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
