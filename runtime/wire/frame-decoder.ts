/**
 * The streaming frame decoder: bytes in (any chunking), messages out.
 *
 * Contract (idl/WIRE.md "Streaming decoding"):
 * - `push` never throws. Every problem reaches `onError(err, fatal)`.
 * - Partial frames are kept until complete; many frames in one chunk are all
 *   delivered, in order, before `push` returns. Complete frames are decoded in
 *   place from the caller's chunk (no copy); only a trailing partial frame is
 *   copied into the decoder's own buffer.
 * - Except after a frame with a compressed (lz4, zstd) value section: that
 *   frame is copied and decompressed on the libuv thread pool, so a peer can
 *   never block the event loop with decompression work, and everything after
 *   it waits (buffered, in order) until it is delivered. `onStall(true)` says
 *   the decoder is waiting (its owner should stop reading: memory then stays
 *   bounded by what was already read), `onStall(false)` that it caught up.
 *   Uncompressed traffic never takes this path and costs nothing extra.
 * - A frame whose CRC is valid but whose body is bad (unknown type or flag,
 *   malformed value section) is reported non-fatally and skipped: its bounds
 *   are trustworthy. Its header fields come with the error as a
 *   {@link SkippedFrame}, so that a server can answer a Request it could not
 *   decode instead of leaving the caller waiting.
 * - A framing error (bad magic, CRC mismatch, oversized length) is reported
 *   non-fatally and the decoder resynchronises: it scans forward from the byte
 *   after the bad frame's start for the next "NOVA" whose candidate frame has
 *   major version 1, an acceptable length and a valid CRC. Scanning is bounded
 *   (CRC work of at most 4 x the size limit per episode); past that, or with
 *   `resync: false`, the error is fatal. A frame with another major version
 *   where a frame must start is fatal (the peer speaks another protocol).
 * - After a fatal error the decoder drops all input until `reset()`.
 * - If `onMessage` throws, the decoder is already past that frame: the
 *   exception is reported as IPCError `InvalidHandler` (cause = the exception,
 *   non-fatal) and decoding continues. Exceptions thrown by `onError` are
 *   swallowed, so `onError` must not throw.
 * - Re-entrancy: `push` from a callback queues the chunk (delivered after the
 *   current one); `reset` from a callback stops delivery at once.
 */
import { IPCError } from "../errors.js";
import { readU32 } from "./bytes.js";
import { Flag, HEADER_SIZE, Offset, VERSION_MAJOR } from "./constants.js";
import { frameCrc32 } from "./crc32.js";
import { scanGoodFrames } from "./frame-check.js";
import { checkMaxMessageSize, decodeCheckedFrame, decodeCheckedFrameAsync, isCompressedFrame } from "./frame.js";
import { hasMagic, isMagicPrefix } from "./header.js";
import type { Message } from "./message.js";
import { asIPCError, oversizedFrame, skippedFrame, type SkippedFrame } from "./skipped-frame.js";

export type { SkippedFrame } from "./skipped-frame.js";

/**
 * See {@link FrameDecoder.setFrameHook}: `b[p, p + total)` is the whole frame
 * (header and payload), valid only during the call — copy what you keep. The
 * hook may modify those bytes (they are not read again).
 */
export type FrameHook = (b: Uint8Array, p: number, total: number) => boolean;

/** Options of a {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Called once per decoded message, in stream order, with the frame's size on the wire (header and payload). */
  onMessage(message: Message, frameBytes: number): void;
  /**
   * Called for every problem; `fatal` means the decoder now drops input until
   * `reset()`. `frame` is set when an intact frame was skipped because its
   * body could not be decoded (see {@link SkippedFrame}).
   */
  onError(error: IPCError, fatal: boolean, frame?: SkippedFrame): void;
  /** Called with true when decoding waits for a decompression off the thread, with false when it caught up. */
  onStall?(stalled: boolean): void;
  /** Largest payload length and decompressed section, default 16 MiB. */
  maxMessageSize?: number;
  /** Scan for the next valid frame after a framing error (default true); false makes those fatal. */
  resync?: boolean;
}

const SHRINK_ABOVE = 1 << 20;

/** Streaming decoder of NOVA frames; see the module comment for its exact contract. */
export class FrameDecoder {
  readonly #onMessage: (message: Message, frameBytes: number) => void;
  readonly #onError: (error: IPCError, fatal: boolean, frame?: SkippedFrame) => void;
  readonly #onStall: ((stalled: boolean) => void) | undefined;
  readonly #max: number;
  readonly #resyncAllowed: boolean;
  readonly #resyncBudget: number;
  #store: Uint8Array = new Uint8Array(0);
  #len = 0;
  #resyncing = false;
  #resyncWork = 0;
  #closed = false;
  #epoch = 0;
  #busy = false;
  #queue: Uint8Array[] = [];
  /** A compressed frame is being decompressed off the thread; input waits behind it. */
  #waiting = false;
  #stallReported = false;
  #idle: Array<() => void> = [];
  #frameHook: FrameHook | undefined = undefined;

  constructor(options: FrameDecoderOptions) {
    const max = checkMaxMessageSize(options.maxMessageSize);
    this.#onMessage = options.onMessage;
    this.#onError = options.onError;
    this.#onStall = options.onStall;
    this.#max = max;
    this.#resyncAllowed = options.resync ?? true;
    this.#resyncBudget = Math.max(1 << 20, 4 * (max + HEADER_SIZE));
  }

  /**
   * Installs (or removes, with undefined) a hook that sees every intact frame
   * (magic, version, length and CRC checked) before its body is decoded, in
   * stream order. When it returns true the frame counts as consumed: it is not
   * decoded and `onMessage` is not called. This is how a router (the bus
   * daemon) forwards frames without decoding their values. A throwing hook is
   * reported like a throwing `onMessage` (non-fatal `InvalidHandler`).
   */
  setFrameHook(hook: FrameHook | undefined): void {
    this.#frameHook = hook;
  }

  /** Bytes held back: a partial frame, a resync candidate, or chunks queued by a re-entrant push. */
  get bufferedBytes(): number {
    let n = this.#len;
    for (const q of this.#queue) n += q.length;
    return n;
  }

  /** True while input is held back (a partial frame, a resync candidate, queued chunks); cheaper than bufferedBytes. */
  get hasBufferedInput(): boolean {
    return this.#len > 0 || this.#queue.length > 0;
  }

  /** True while decoding waits for a compressed frame's decompression (see onStall). */
  get stalled(): boolean {
    return this.#waiting;
  }

  /** Resolves once no decompression is pending and every pushed byte has been processed. */
  whenIdle(): Promise<void> {
    if (!this.#waiting) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** True after a fatal error, until {@link reset}. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Drops all buffered input and state (also clears a fatal error). */
  reset(): void {
    this.#epoch++;
    this.#len = 0;
    this.#store = new Uint8Array(0);
    this.#resyncing = false;
    this.#resyncWork = 0;
    this.#closed = false;
    this.#queue = [];
    if (this.#waiting) this.#caughtUp();
  }

  /** Feeds bytes. Never throws; results arrive through the callbacks before it returns. */
  push(chunk: Uint8Array): void {
    if (this.#closed || chunk.length === 0) return;
    if (this.#busy || this.#waiting) {
      this.#queue.push(new Uint8Array(chunk));
      return;
    }
    this.#busy = true;
    try {
      // Chunks are decoded as they come (a socket's are Buffers): the decoders copy
      // whatever they keep (bytes.ts copyOut), so no plain view is made per chunk.
      this.#pushOne(chunk);
      while (this.#queue.length > 0 && !this.#closed && !this.#waiting) this.#pushOne(this.#queue.shift() as Uint8Array);
    } catch (cause) {
      // Not reached by design; a bug must still not escape push.
      this.#fatal(new IPCError("CorruptedMessage", `frame decoder failed: ${String(cause)}`, { cause }));
    } finally {
      this.#busy = false;
    }
  }

  #pushOne(chunk: Uint8Array): void {
    const epoch = this.#epoch;
    const n = chunk.length;
    let off = 0;
    while (this.#len > 0 && off < n) {
      const take = Math.min(this.#wanted(), n - off);
      this.#append(chunk, off, take);
      off += take;
      const used = this.#scan(this.#store, 0, this.#len);
      if (this.#epoch !== epoch || this.#closed) return;
      this.#consume(used);
      if (this.#waiting) {
        // A compressed frame is off being decompressed: keep the rest of the chunk behind it.
        if (off < n) this.#append(chunk, off, n - off);
        return;
      }
    }
    if (off < n) {
      const used = this.#scan(chunk, off, n);
      if (this.#epoch !== epoch || this.#closed) return;
      if (used < n) this.#append(chunk, used, n - used);
    }
  }

  /** How many more bytes the buffered partial frame needs before a scan can progress. */
  #wanted(): number {
    if (this.#resyncing) return Infinity;
    if (this.#len < HEADER_SIZE) return HEADER_SIZE - this.#len;
    return Math.max(1, HEADER_SIZE + readU32(this.#store, Offset.payloadLength) - this.#len);
  }

  #append(src: Uint8Array, off: number, n: number): void {
    const need = this.#len + n;
    if (need > this.#store.length) {
      const grown = new Uint8Array(Math.max(need, this.#store.length * 2, 4096));
      grown.set(this.#store.subarray(0, this.#len));
      this.#store = grown;
    }
    this.#store.set(src.subarray(off, off + n), this.#len);
    this.#len = need;
  }

  #consume(used: number): void {
    if (used >= this.#len) {
      this.#len = 0;
      if (this.#store.length > SHRINK_ABOVE) this.#store = new Uint8Array(0);
      return;
    }
    if (used > 0) {
      this.#store.copyWithin(0, used, this.#len);
      this.#len -= used;
    }
  }

  /** Decodes complete frames from `b[start, end)`; returns the first byte it could not use yet. */
  #scan(b: Uint8Array, start: number, end: number): number {
    const epoch = this.#epoch;
    const max = this.#max;
    let p = start;
    for (;;) {
      if (this.#resyncing) {
        p = this.#resyncScan(b, p, end);
        if (this.#resyncing || this.#closed) return p;
      }
      // The run of good frames (magic, version, length, CRC all checked in one
      // pass, natively when the addon is there) is decoded without re-checking.
      const good = scanGoodFrames(b, p, end, max);
      while (p < good) {
        const total = HEADER_SIZE + readU32(b, p + Offset.payloadLength);
        this.#deliver(b, p, max, total);
        p += total;
        if (this.#epoch !== epoch || this.#closed) return end;
        if (this.#waiting) return p;
      }
      // The frame at p is incomplete or bad: classify it (slow path, one frame).
      const avail = end - p;
      if (avail < 4) {
        if (avail === 0 || isMagicPrefix(b, p, avail)) return p;
        if (!this.#framingError(new IPCError("CorruptedMessage", "bad magic: expected NOVA", { context: { offset: p } }))) return end;
        if (this.#epoch !== epoch) return end;
        p += 1;
        continue;
      }
      if (!hasMagic(b, p)) {
        if (!this.#framingError(new IPCError("CorruptedMessage", "bad magic: expected NOVA", { context: { offset: p } }))) return end;
        if (this.#epoch !== epoch) return end;
        p += 1;
        continue;
      }
      if (avail < HEADER_SIZE) return p;
      if (b[p + Offset.versionMajor] !== VERSION_MAJOR) {
        this.#fatal(
          new IPCError("UnsupportedVersion", `wire major version ${b[p + Offset.versionMajor]} is not supported (1 is)`, {
            context: { versionMajor: b[p + Offset.versionMajor], versionMinor: b[p + Offset.versionMinor] },
          }),
        );
        return end;
      }
      const len = readU32(b, p + Offset.payloadLength);
      if (len > max) {
        const err = new IPCError("MessageTooLarge", `payload length ${len} exceeds the limit ${max}`, { context: { payloadLength: len, limit: max } });
        if (!this.#framingError(err, oversizedFrame(b, p, len))) return end;
        if (this.#epoch !== epoch) return end;
        p += 1;
        continue;
      }
      const total = HEADER_SIZE + len;
      if (avail < total) return p;
      const stored = readU32(b, p + Offset.crc);
      if (stored !== frameCrc32(b, p, len)) {
        const err = new IPCError("CorruptedMessage", "CRC mismatch", { context: { stored, payloadLength: len } });
        if (!this.#framingError(err)) return end;
        if (this.#epoch !== epoch) return end;
        p += 1;
        continue;
      }
      // (Only reached if the run scan and these checks disagree; deliver it all the same.)
      this.#deliver(b, p, max, total);
      p += total;
      if (this.#epoch !== epoch || this.#closed) return end;
      if (this.#waiting) return p;
    }
  }

  /**
   * Decodes the checked frame at `b[p]` and hands it to onMessage. A bad body
   * (its bounds are trustworthy) or a throwing handler is reported, non-fatally.
   */
  #deliver(b: Uint8Array, p: number, max: number, total: number): void {
    const hook = this.#frameHook;
    if (hook !== undefined) {
      let taken: boolean;
      try {
        taken = hook(b, p, total);
      } catch (cause) {
        this.#report(new IPCError("InvalidHandler", `frame hook threw: ${String(cause)}`, { cause }), false);
        return;
      }
      if (taken) return;
    }
    // Compression bits set: decompress off the thread (one byte test on the uncompressed path).
    if ((b[p + Offset.flags] & Flag.compressionMask) !== 0 && isCompressedFrame(b, p)) {
      this.#deliverLater(b.slice(p, p + total), max, total);
      return;
    }
    let message: Message;
    try {
      message = decodeCheckedFrame(b, p, max);
    } catch (cause) {
      this.#report(asIPCError(cause), false, skippedFrame(b, p, total));
      return;
    }
    try {
      this.#onMessage(message, total);
    } catch (cause) {
      this.#handlerFailed(cause, message);
    }
  }

  /** Decodes the compressed frame `frame` (a private copy) off the thread; input waits until it is delivered. */
  #deliverLater(frame: Uint8Array, max: number, total: number): void {
    const epoch = this.#epoch;
    this.#waiting = true;
    if (!this.#stallReported) {
      // Reported once per run of compressed frames, so the owner does not pause and resume in between.
      this.#stallReported = true;
      try {
        this.#onStall?.(true);
      } catch {
        // The owner's hook must not break decoding.
      }
    }
    decodeCheckedFrameAsync(frame, 0, max).then(
      (message) => this.#resume(epoch, message, undefined, frame, total),
      (cause: unknown) => this.#resume(epoch, undefined, asIPCError(cause), frame, total),
    );
  }

  /** The compressed frame is done: deliver it, then everything that waited behind it, in order. */
  #resume(epoch: number, message: Message | undefined, error: IPCError | undefined, frame: Uint8Array, total: number): void {
    if (epoch !== this.#epoch || !this.#waiting) return; // reset meanwhile: the frame belonged to dropped input
    this.#waiting = false;
    this.#busy = true;
    try {
      if (message !== undefined) {
        try {
          this.#onMessage(message, total);
        } catch (cause) {
          this.#handlerFailed(cause, message);
        }
      } else {
        this.#report(error as IPCError, false, skippedFrame(frame, 0, total));
      }
      if (this.#epoch === epoch && !this.#closed && this.#len > 0) {
        const used = this.#scan(this.#store, 0, this.#len);
        if (this.#epoch === epoch && !this.#closed) this.#consume(used);
      }
      while (!this.#waiting && this.#queue.length > 0 && !this.#closed && this.#epoch === epoch) this.#pushOne(this.#queue.shift() as Uint8Array);
    } catch (cause) {
      this.#fatal(new IPCError("CorruptedMessage", `frame decoder failed: ${String(cause)}`, { cause }));
    } finally {
      this.#busy = false;
    }
    if (!this.#waiting) this.#caughtUp();
  }

  #caughtUp(): void {
    this.#waiting = false;
    if (this.#stallReported) {
      this.#stallReported = false;
      try {
        this.#onStall?.(false);
      } catch {
        // As above.
      }
    }
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #handlerFailed(cause: unknown, message: Message): void {
    const err = new IPCError("InvalidHandler", `onMessage threw: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      context: { source: "onMessage", messageId: String(message.messageId) },
    });
    this.#report(err, false);
  }

  /** Reports a framing error (with the frame's unverified header, when it has one); returns false when it was fatal. */
  #framingError(err: IPCError, frame?: SkippedFrame): boolean {
    if (!this.#resyncAllowed) {
      this.#fatal(err);
      return false;
    }
    this.#resyncing = true;
    this.#resyncWork = 0;
    this.#report(err, false, frame);
    return !this.#closed;
  }

  /** In resync mode: the position of the next valid frame (resync ends) or of bytes to keep. */
  #resyncScan(b: Uint8Array, from: number, end: number): number {
    const max = this.#max;
    let p = from;
    while (p < end) {
      let q = p;
      while (q < end && b[q] !== 0x4e) q++;
      if (q === end) return end;
      const avail = end - q;
      if (avail < 4) {
        if (isMagicPrefix(b, q, avail)) return q;
        p = q + 1;
        continue;
      }
      if (!hasMagic(b, q)) {
        p = q + 1;
        continue;
      }
      if (avail < HEADER_SIZE) return q;
      const len = readU32(b, q + Offset.payloadLength);
      if (b[q + Offset.versionMajor] !== VERSION_MAJOR || len > max) {
        p = q + 1;
        continue;
      }
      if (avail < HEADER_SIZE + len) return q;
      this.#resyncWork += HEADER_SIZE + len;
      if (this.#resyncWork > this.#resyncBudget) {
        this.#fatal(new IPCError("CorruptedMessage", "could not resynchronise: scan budget exhausted", { context: { budget: this.#resyncBudget } }));
        return end;
      }
      if (readU32(b, q + Offset.crc) === frameCrc32(b, q, len)) {
        this.#resyncing = false;
        return q;
      }
      p = q + 1;
    }
    return end;
  }

  #fatal(err: IPCError): void {
    this.#closed = true;
    this.#len = 0;
    this.#store = new Uint8Array(0);
    this.#queue = [];
    this.#report(err, true);
  }

  #report(err: IPCError, fatal: boolean, frame?: SkippedFrame): void {
    try {
      this.#onError(err, fatal, frame);
    } catch {
      // Documented: onError must not throw; swallowing keeps push() total.
    }
  }
}
