/**
 * Opening a log directory after a clean close or a crash.
 *
 * - Leftover `*.tmp` files (an archive or index interrupted mid-write) are deleted.
 * - A segment with both `.seg` and `.seg.zst` was archived but not yet
 *   unlinked: the archive is complete (it is renamed into place only after
 *   fsync), so the plain file is deleted.
 * - The last segment is the active one. It is scanned record by record: a
 *   stretch that fails the CRC/length/offset checks followed by good records is
 *   reported as corruption and kept (replay skips it); bytes after the last
 *   good record are a torn tail and are truncated away.
 */
import { mkdir, open, readdir, rm, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { parseSegmentName, recordTimestamp, SEGMENT_SUFFIX, TEMP_SUFFIX } from "./format.js";
import { scanSegment } from "./scanner.js";
import { SegmentIndex } from "./segment-index.js";
import { ioError, segmentPath, syncDir, type SegmentInfo } from "./segment.js";

/** A stretch of bytes that is not a record. */
export interface CorruptionReport {
  /** Base offset of the segment. */
  segment: number;
  /** Byte position in the segment (in the uncompressed bytes for an archive). */
  position: number;
  length: number;
  /** Offset of the last good record before it (-1 when none in this segment). */
  afterOffset: number;
  /** `corrupt`: good records follow; `tail`: nothing good follows (a torn write). */
  kind: "corrupt" | "tail";
}

/** What open found and did. */
export interface RecoveryReport {
  /** Bytes cut from the end of the active segment (a torn write), 0 when clean. */
  truncatedBytes: number;
  /** Corrupt stretches found in the active segment (kept on disk, skipped by replay). */
  corruptions: CorruptionReport[];
  /** Files removed: temp files and plain segments already archived. */
  removedFiles: string[];
}

/** The recovered state handed to the EventLog. */
export interface Recovered {
  segments: SegmentInfo[];
  active: FileHandle;
  report: RecoveryReport;
}

/** Recovers `dir` (created when missing); see the file comment. */
export async function recoverDirectory(dir: string, intervalBytes: number, maxMessageSize: number): Promise<Recovered> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError("mkdir", dir, e);
  }
  const report: RecoveryReport = { truncatedBytes: 0, corruptions: [], removedFiles: [] };
  const names = await readdir(dir).catch((e: unknown) => {
    throw ioError("readdir", dir, e);
  });
  const found = new Map<number, { plain: boolean; archived: boolean }>();
  for (const name of names) {
    if (name.endsWith(TEMP_SUFFIX)) {
      await rm(join(dir, name), { force: true });
      report.removedFiles.push(name);
      continue;
    }
    const parsed = parseSegmentName(name);
    if (parsed === undefined) continue;
    const entry = found.get(parsed.base) ?? { plain: false, archived: false };
    if (parsed.archived) entry.archived = true;
    else entry.plain = true;
    found.set(parsed.base, entry);
  }
  const bases = [...found.keys()].sort((a, b) => a - b);
  const segments: SegmentInfo[] = [];
  for (const base of bases) {
    const f = found.get(base)!;
    if (f.plain && f.archived) {
      await rm(segmentPath(dir, base, SEGMENT_SUFFIX), { force: true });
      report.removedFiles.push(segmentPath(dir, base, SEGMENT_SUFFIX));
      f.plain = false;
    }
    const path = segmentPath(dir, base, f.archived ? ".seg.zst" : SEGMENT_SUFFIX);
    const st = await stat(path);
    segments.push({ base, archived: f.archived, active: false, diskBytes: st.size, closedAtMs: st.mtimeMs });
  }
  // The active segment: the last plain one. If the last is archived (or none exists), start a new one after it.
  const last = segments[segments.length - 1];
  let activeBase: number;
  let index: SegmentIndex;
  if (last !== undefined && !last.archived) {
    activeBase = last.base;
    segments.pop();
  } else {
    activeBase = 0;
    if (last !== undefined) {
      const { loadIndex } = await import("./segment.js");
      activeBase = (await loadIndex(dir, last, intervalBytes, maxMessageSize, Number.MAX_SAFE_INTEGER)).nextOffset;
    }
  }
  const path = segmentPath(dir, activeBase, SEGMENT_SUFFIX);
  let fh: FileHandle;
  try {
    fh = await open(path, "a+");
    await fh.close();
    fh = await open(path, "r+");
    if (last === undefined || last.archived) await syncDir(dir); // a new file: make its name durable
  } catch (e) {
    throw ioError("open", path, e);
  }
  index = new SegmentIndex(activeBase, intervalBytes);
  const size = (await fh.stat()).size;
  let lastGood = -1;
  let tailAt = size;
  const source = { read: async (t: Buffer, at: number, len: number, pos: number) => (await fh.read(t, at, len, pos)).bytesRead };
  for await (const item of scanSegment(source, { from: 0, limit: size, minOffset: activeBase, maxMessageSize })) {
    if (item.kind === "record") {
      index.add(item.offset, item.pos, item.length, recordTimestamp(item.bytes, item.start));
      lastGood = item.offset;
    } else if (item.kind === "corrupt") {
      report.corruptions.push({ segment: activeBase, position: item.pos, length: item.length, afterOffset: lastGood, kind: "corrupt" });
    } else {
      tailAt = item.pos;
    }
  }
  if (tailAt < size) {
    try {
      await fh.truncate(tailAt);
      await fh.datasync();
    } catch (e) {
      throw ioError("truncate", path, e);
    }
    report.truncatedBytes = size - tailAt;
  }
  // The logical end is the file end (corrupt stretches stay in place), not the last record's end.
  index.size = tailAt;
  segments.push({ base: activeBase, archived: false, active: true, index, diskBytes: tailAt, closedAtMs: 0 });
  return { segments, active: fh, report };
}
