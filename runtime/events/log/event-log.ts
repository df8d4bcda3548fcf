/**
 * The persistent event log: a directory of append-only segments of NOVA Event
 * frames (README.md in this folder). Appends are batched into one write per
 * event-loop turn and acknowledged once durable under the fsync policy; all
 * I/O on the append path is asynchronous.
 */
import { open, type FileHandle } from "node:fs/promises";
import { IPCError } from "../../errors.js";
import { checkMaxMessageSize, encodeMessageIntoUnsealed } from "../../wire/frame.js";
import { Offset } from "../../wire/constants.js";
import { sealFrames } from "../../wire/frame-check.js";
import type { EventMessage } from "../../wire/message.js";
import { frameAt, isEventFrame, SEGMENT_SUFFIX } from "./format.js";
import { recoverDirectory, type CorruptionReport, type RecoveryReport } from "./recovery.js";
import { replayLog, type LogRecord, type ReplayOptions } from "./replay.js";
import { SegmentIndex } from "./segment-index.js";
import { archiveSegment, deleteSegmentFiles, ioError, segmentPath, syncDir, writeIndexFiles, type SegmentInfo } from "./segment.js";

/** When an append counts as durable: after its own fsync, after the next group fsync, or after the write. */
export type FsyncPolicy = "always" | "group" | "never";

/** Options of {@link EventLog.open}. */
export interface EventLogOptions {
  /** Default `group`. */
  fsync?: FsyncPolicy;
  /** Group commit: one fsync at most this many ms after the first unsynced append. Default 5. */
  groupCommitMs?: number;
  /** Rotate once the active segment reaches this many bytes (it may exceed it by one write batch). Default 64 MiB; at most 2 GiB. */
  segmentBytes?: number;
  /** Rotate at the next append once the active segment is this old. Default: never. */
  segmentMaxAgeMs?: number;
  /** Delete the oldest closed segments while closed segments take more than this on disk. Default: unlimited. */
  retentionBytes?: number;
  /** Delete closed segments closed longer ago than this. Default: unlimited. */
  retentionMs?: number;
  /** Compress closed segments to `.seg.zst`. Default true. */
  archive?: boolean;
  /** zstd level for archives. Default 3. */
  archiveLevel?: number;
  /** One index entry per this many bytes of records. Default 4096. */
  indexIntervalBytes?: number;
  /** Largest frame payload accepted. Default 16 MiB. */
  maxMessageSize?: number;
  /** Called for each corrupt stretch found (on open and during replay). */
  onCorruption?: (report: CorruptionReport) => void;
  /** Called when background work (archiving, retention) fails; default: a process warning. */
  onError?: (error: IPCError) => void;
  /** The fsync used for segment data; tests inject one to observe or delay it. Default `fh.datasync()`. */
  syncFile?: (fh: FileHandle) => Promise<void>;
  /** Clock for segment age and retention, ms. Default Date.now. */
  now?: () => number;
}

/** The result of an append: the record's offset in the log. */
export interface AppendResult {
  offset: number;
}

interface Waiter {
  offset: number;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

const MAX_SEGMENT_BYTES = 0x7fff_ffff;

/** See the file comment and README.md. */
export class EventLog {
  private readonly policy: FsyncPolicy;
  private readonly groupMs: number;
  private readonly segmentBytes: number;
  private readonly max: number;
  private readonly interval: number;
  private readonly syncFile: (fh: FileHandle) => Promise<void>;
  private readonly now: () => number;
  private next: number;
  private active: SegmentInfo;
  private activeOpenedAt: number;
  // The batch being filled this turn.
  private buf = Buffer.allocUnsafe(64 * 1024);
  private len = 0;
  private lens: number[] = [];
  private stamps: bigint[] = [];
  private waiters: Waiter[] = [];
  // Written, waiting for the group fsync.
  private unsynced: Waiter[] = [];
  private pumpScheduled = false;
  private pumping = false;
  private repump = false;
  private syncDue = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private failed: IPCError | undefined;
  private closed = false;
  private background: Promise<void> = Promise.resolve();
  private idle: (() => void)[] = [];
  /** fsync calls made on segment data (for tests and diagnostics). */
  fsyncCount = 0;
  /** write calls made on segment data. */
  writeCount = 0;

  private constructor(
    readonly dir: string,
    private fh: FileHandle,
    private readonly segments: SegmentInfo[],
    /** What open found: truncated torn tail, corrupt stretches, removed files. */
    readonly recovery: RecoveryReport,
    private readonly options: EventLogOptions,
  ) {
    this.policy = options.fsync ?? "group";
    this.groupMs = positive(options.groupCommitMs, 5, "groupCommitMs");
    this.segmentBytes = Math.min(positive(options.segmentBytes, 64 * 1024 * 1024, "segmentBytes"), MAX_SEGMENT_BYTES);
    this.max = checkMaxMessageSize(options.maxMessageSize);
    this.interval = positive(options.indexIntervalBytes, 4096, "indexIntervalBytes");
    this.syncFile = options.syncFile ?? ((fh) => fh.datasync());
    this.now = options.now ?? Date.now;
    this.active = segments[segments.length - 1]!;
    this.next = this.active.index!.nextOffset;
    this.activeOpenedAt = this.now();
  }

  /** Opens (creating or recovering) the log in `dir`. Reports each corrupt stretch of the active segment to `onCorruption`. */
  static async open(dir: string, options: EventLogOptions = {}): Promise<EventLog> {
    const interval = positive(options.indexIntervalBytes, 4096, "indexIntervalBytes");
    if (options.fsync !== undefined && !["always", "group", "never"].includes(options.fsync)) {
      throw new IPCError("InvalidArgument", `unknown fsync policy ${String(options.fsync)}`, { context: { fsync: options.fsync } });
    }
    positive(options.groupCommitMs, 5, "groupCommitMs");
    positive(options.segmentBytes, 1, "segmentBytes");
    const rec = await recoverDirectory(dir, interval, checkMaxMessageSize(options.maxMessageSize));
    const log = new EventLog(dir, rec.active, rec.segments, rec.report, options);
    for (const c of rec.report.corruptions) options.onCorruption?.(c);
    log.enforceRetention();
    return log;
  }

  /** The offset the next append gets. */
  get nextOffset(): number {
    return this.next;
  }

  /** Base offsets of the segments, oldest first (the last is the active one). */
  get segmentBases(): number[] {
    return this.segments.map((s) => s.base);
  }

  /**
   * Appends one event. Its `correlationId` is replaced by the record's offset
   * (how a record carries its offset on disk); everything else is kept.
   * Resolves once durable under the fsync policy. Throws SerializationError /
   * MessageTooLarge for an event that cannot be encoded.
   */
  append(event: EventMessage): Promise<AppendResult> {
    this.checkOpen();
    const offset = this.next;
    const message: EventMessage = { ...event, correlationId: BigInt(offset) };
    let n = encodeMessageIntoUnsealed(message, this.buf, this.len, { maxMessageSize: this.max });
    if (n < 0) {
      this.grow(-n);
      n = encodeMessageIntoUnsealed(message, this.buf, this.len, { maxMessageSize: this.max });
    }
    return this.queued(offset, n, event.timestampNs);
  }

  /**
   * Appends an already encoded Event frame (as a daemon receives it). The
   * frame is checked (CRC, type), copied, and its correlation id set to the
   * offset. Throws CorruptedMessage for a bad frame.
   */
  appendFrame(frame: Uint8Array): Promise<AppendResult> {
    this.checkOpen();
    const n = frameAt(frame, 0, frame.length, this.max);
    if (n !== frame.length || !isEventFrame(frame, 0)) {
      throw new IPCError("CorruptedMessage", "appendFrame needs exactly one complete Event frame with a valid CRC", { context: { length: frame.length } });
    }
    const offset = this.next;
    if (this.len + n > this.buf.length) this.grow(n);
    this.buf.set(frame, this.len);
    this.buf.writeBigUInt64LE(BigInt(offset), this.len + Offset.correlationId);
    const ts = this.buf.readBigUInt64LE(this.len + Offset.timestampNs);
    return this.queued(offset, n, ts);
  }

  /** Resolves when every append so far is durable (an fsync happens whatever the policy). */
  async flush(): Promise<void> {
    this.checkOpen();
    await this.drain();
    await this.syncActive();
  }

  /** Replays records in offset order, streamed; see {@link ReplayOptions}. */
  replay(options: ReplayOptions = {}): AsyncGenerator<LogRecord> {
    return replayLog(this.dir, [...this.segments], {
      maxMessageSize: this.max,
      maxArchiveBytes: this.segmentBytes * 2 + this.max * 2 + 1024 * 1024,
      activeBase: () => this.active.base,
      activeLimit: () => this.active.index!.size,
      loadIndexInterval: this.interval,
      onCorruption: this.options.onCorruption,
      ...options,
    });
  }

  /** Flushes (fsyncs), finishes background archiving/retention, and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    if (this.failed === undefined) await this.syncActive().catch(() => undefined);
    await this.background;
    clearTimeout(this.syncTimer);
    await this.fh.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new IPCError("ChannelClosed", "event log is closed");
    if (this.failed !== undefined) throw this.failed;
  }

  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + need + 1024));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  private queued(offset: number, n: number, ts: bigint): Promise<AppendResult> {
    this.next = offset + 1;
    this.len += n;
    this.lens.push(n);
    this.stamps.push(ts);
    const p = new Promise<AppendResult>((resolve, reject) => this.waiters.push({ offset, resolve, reject }));
    this.schedule();
    return p;
  }

  private schedule(): void {
    if (this.pumping) {
      this.repump = true;
      return;
    }
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  /** The only place that writes, syncs and rotates: one at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.repump = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.repump = false;
        if (this.len > 0) await this.writeBatch();
        // Armed here too, not only when the pump goes idle: under a steady stream it may never go idle.
        this.armSyncTimer();
        if (this.syncDue && this.unsynced.length > 0) {
          this.syncDue = false;
          const batch = this.unsynced;
          this.unsynced = [];
          await this.syncActive();
          for (const w of batch) w.resolve({ offset: w.offset });
        }
      } while (this.len > 0 || this.repump);
    } catch (e) {
      this.fail(e instanceof IPCError ? e : ioError("write", this.dir, e));
    } finally {
      this.pumping = false;
      this.armSyncTimer();
      if (this.len === 0 && this.unsynced.length === 0) for (const f of this.idle.splice(0)) f();
    }
  }

  /** Group commit: one fsync `groupMs` after the first unsynced write. */
  private armSyncTimer(): void {
    if (this.unsynced.length === 0 || this.syncTimer !== undefined || this.failed !== undefined || this.closed) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncDue = true;
      void this.pump();
    }, this.groupMs);
  }

  private async writeBatch(): Promise<void> {
    const bytes = this.buf.subarray(0, this.len);
    const lens = this.lens;
    const stamps = this.stamps;
    const waiters = this.waiters;
    this.buf = Buffer.allocUnsafe(Math.max(64 * 1024, Math.min(this.buf.length, 4 * 1024 * 1024)));
    this.len = 0;
    this.lens = [];
    this.stamps = [];
    this.waiters = [];
    try {
      sealFrames(bytes, 0, bytes.length);
      await this.maybeRotate(waiters[0]!.offset);
      const index = this.active.index!;
      let at = index.size;
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, at + done);
        done += bytesWritten;
      }
      this.writeCount++;
      for (let i = 0; i < lens.length; i++) {
        index.add(waiters[i]!.offset, at, lens[i]!, stamps[i]!);
        at += lens[i]!;
      }
      this.active.diskBytes = index.size;
      if (this.policy === "always") await this.syncActive();
    } catch (e) {
      for (const w of waiters) w.reject(e);
      throw e;
    }
    if (this.policy === "group") this.unsynced.push(...waiters);
    else for (const w of waiters) w.resolve({ offset: w.offset });
  }

  private async syncActive(): Promise<void> {
    this.fsyncCount++;
    await this.syncFile(this.fh);
  }

  private async maybeRotate(firstOffset: number): Promise<void> {
    const index = this.active.index!;
    if (index.size === 0) return;
    const maxAge = this.options.segmentMaxAgeMs;
    const old = maxAge !== undefined && this.now() - this.activeOpenedAt >= maxAge;
    if (index.size < this.segmentBytes && !old) return;
    // Close the active segment: everything written to it becomes durable first.
    await this.syncActive();
    for (const w of this.unsynced.splice(0)) w.resolve({ offset: w.offset });
    const closed = this.active;
    const closedIndex = index;
    await this.fh.close();
    closed.active = false;
    closed.closedAtMs = this.now();
    const path = segmentPath(this.dir, firstOffset, SEGMENT_SUFFIX);
    try {
      this.fh = await open(path, "w+");
      if (this.policy !== "never") await syncDir(this.dir);
    } catch (e) {
      throw ioError("create", path, e);
    }
    this.active = { base: firstOffset, archived: false, active: true, index: new SegmentIndex(firstOffset, this.interval), diskBytes: 0, closedAtMs: 0 };
    this.segments.push(this.active);
    this.activeOpenedAt = this.now();
    const sync = this.policy !== "never";
    this.runBackground(async () => {
      await writeIndexFiles(this.dir, closedIndex, sync);
      if (this.options.archive ?? true) {
        closed.diskBytes = await archiveSegment(this.dir, closed.base, this.options.archiveLevel ?? 3, sync);
        closed.archived = true;
      }
    });
    this.enforceRetention();
  }

  /** Deletes the oldest closed segments beyond the size or age limit (in the background). */
  private enforceRetention(): void {
    const { retentionBytes, retentionMs } = this.options;
    if (retentionBytes === undefined && retentionMs === undefined) return;
    this.runBackground(async () => {
      for (;;) {
        const closed = this.segments.filter((s) => !s.active);
        const oldest = closed[0];
        if (oldest === undefined) return;
        const total = closed.reduce((a, s) => a + s.diskBytes, 0);
        const tooBig = retentionBytes !== undefined && total > retentionBytes;
        const tooOld = retentionMs !== undefined && this.now() - oldest.closedAtMs > retentionMs;
        if (!tooBig && !tooOld) return;
        this.segments.splice(this.segments.indexOf(oldest), 1);
        await deleteSegmentFiles(this.dir, oldest.base);
      }
    });
  }

  private runBackground(task: () => Promise<void>): void {
    this.background = this.background.then(task).catch((e: unknown) => {
      const err = e instanceof IPCError ? e : ioError("background work in", this.dir, e);
      if (this.options.onError !== undefined) this.options.onError(err);
      else process.emitWarning(err.message, { code: err.code });
    });
  }

  /** Waits until nothing is queued, written-but-unsynced, or being written. */
  private drain(): Promise<void> {
    if (this.len === 0 && this.unsynced.length === 0 && !this.pumping && !this.pumpScheduled) return Promise.resolve();
    if (this.unsynced.length > 0) {
      this.syncDue = true;
      this.schedule();
    }
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private fail(e: IPCError): void {
    this.failed = e;
    for (const w of [...this.waiters, ...this.unsynced]) w.reject(e);
    this.waiters = [];
    this.unsynced = [];
    this.len = 0;
    for (const f of this.idle.splice(0)) f();
  }
}


function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) throw new IPCError("InvalidArgument", `${name} must be a positive number`, { context: { [name]: value } });
  return value;
}
