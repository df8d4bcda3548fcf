/**
 * The bounded, batching outbound queue of a channel.
 *
 * Messages are encoded straight into one batch buffer (a 64 KiB slab,
 * recycled once the kernel has taken it) with the wire format's
 * `encodeMessageIntoUnsealed`: no Buffer per frame, no array of frames, no
 * concat pass; the batch's CRCs are computed by one `sealFrames` call when it
 * is flushed. Frames encoded elsewhere are copied in. The batch is written
 * with one syscall by a flush queued as a microtask — a lone call is written
 * before the loop polls again, so batching never delays it — or at once when
 * the slab is full, so a sender that produces thousands of frames in one turn
 * keeps the socket busy while it encodes the rest instead of handing the
 * kernel one huge write at the end of the turn. A frame bigger than a slab is written on its
 * own, without a copy, after the batch before it.
 *
 * Memory is bounded: the queue counts the bytes not yet flushed plus the bytes
 * handed to the socket but not yet accepted by the kernel; above `maxBytes`
 * (or `maxMessages` unflushed frames) `tryPush` refuses and callers wait on
 * {@link OutboundQueue.whenWritable}.
 */
import { IPCError } from "../errors.js";
import { encodeMessageInto, encodeMessageIntoUnsealed, type EncodeOptions } from "../wire/frame.js";
import { sealFrames } from "../wire/frame-check.js";
import type { Message } from "../wire/message.js";

/** Where a flushed batch goes: the write side of a socket or FIFO. */
export interface ByteSink {
  /**
   * Optional: hands `data[0, length)` to the kernel at once if it can, and
   * returns how many bytes it took (0 when it cannot write directly now, or
   * took none). Never fails: on any error it returns 0 and `write` reports
   * the error. What it did not take goes to `write`.
   */
  tryWrite?(data: Uint8Array, length: number): number;
  /** Writes `data`; `done` runs once the bytes left user space (or failed). */
  write(data: Uint8Array, done: (error?: Error | null) => void): void;
}

interface Waiter {
  resolve(): void;
  reject(error: IPCError): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Flushes are queued as a reaction to this settled promise: a microtask, like
 * `queueMicrotask`, but without the AsyncResource and bound function Node's
 * `queueMicrotask` allocates per call. `flush` never throws, so the derived
 * promise never rejects.
 */
const RESOLVED = Promise.resolve();

/** Size of a batch buffer: large enough for hundreds of small frames per syscall. */
export const SLAB_BYTES = 64 * 1024;
/** Free slabs kept for reuse per queue (more are garbage collected). */
const MAX_FREE_SLABS = 4;

/** A bounded batching writer; see the file comment. */
export class OutboundQueue {
  private slab: Uint8Array | undefined;
  private batchBytes = 0;
  /** Start of the run of frames encoded into the batch without their CRC (tryPushMessage). */
  private unsealedFrom = 0;
  private batchCount = 0;
  private inFlightBytes = 0;
  private scheduled = false;
  private failed: IPCError | undefined;
  private readonly freeSlabs: Uint8Array[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly flushNow = (): void => this.flush();

  constructor(
    private readonly sink: ByteSink,
    private readonly maxBytes: number,
    private readonly maxMessages: number,
  ) {}

  /** Bytes queued or in flight. */
  get pendingBytes(): number {
    return this.batchBytes + this.inFlightBytes;
  }

  /** True when a frame pushed now would be accepted. */
  get hasRoom(): boolean {
    return this.batchBytes + this.inFlightBytes < this.maxBytes && this.batchCount < this.maxMessages;
  }

  /** Queues `frame` if there is room; never splits or reorders frames. */
  tryPush(frame: Uint8Array): boolean {
    if (this.failed) throw this.failed;
    if (!this.hasRoom) return false;
    const size = frame.length;
    if (size > SLAB_BYTES) {
      // Too big to batch: what is queued goes first, then the frame as it is.
      this.flush();
      this.writeOut(frame, undefined, size);
      return true;
    }
    if (this.batchBytes + size > SLAB_BYTES) this.flush();
    const slab = (this.slab ??= this.takeSlab());
    // The frames encoded before this one are sealed now: the run must hold only our own frames.
    if (!this.sealRun()) throw this.failed;
    slab.set(frame, this.batchBytes);
    this.unsealedFrom = this.batchBytes + size;
    this.added(size);
    return true;
  }

  /**
   * Queues the whole frames `b[start, end)` (`frames` of them) if there is
   * room, copying them: the caller may reuse `b` at once. The router's path
   * (the bus daemon), which forwards frames without decoding them. With
   * `sealed` false their CRC fields are not yet valid: they are sealed with
   * the batch's own frames when it is flushed (one native pass), which saves
   * a router that patched their headers a CRC pass of its own.
   */
  tryPushRange(b: Uint8Array, start: number, end: number, frames: number, sealed = true): boolean {
    if (this.failed) throw this.failed;
    if (!this.hasRoom) return false;
    const size = end - start;
    if (size > SLAB_BYTES) {
      this.flush();
      const copy = b.slice(start, end);
      if (!sealed && sealFrames(copy, 0, size) < 0) throw new IPCError("CorruptedMessage", "tryPushRange needs whole frames", { context: { size } });
      this.writeOut(copy, undefined, size);
      return true;
    }
    if (this.batchBytes + size > SLAB_BYTES) this.flush();
    const slab = (this.slab ??= this.takeSlab());
    // Sealed frames end the unsealed run (it must hold only frames that need sealing).
    if (sealed && !this.sealRun()) throw this.failed;
    const at = this.batchBytes;
    // set() of a view: about 40 ns for a 126-byte frame, where a JS byte loop takes about 240.
    slab.set(b.subarray(start, end), at);
    if (sealed) this.unsealedFrom = at + size;
    this.added(size, frames);
    return true;
  }

  /**
   * Encodes `message` straight into the batch if there is room (false
   * otherwise, like {@link tryPush}). Throws what `encodeMessageInto` throws
   * (SerializationError, MessageTooLarge); then nothing was queued.
   */
  tryPushMessage(message: Message, options: EncodeOptions): boolean {
    if (this.failed) throw this.failed;
    if (!this.hasRoom) return false;
    let slab = (this.slab ??= this.takeSlab());
    let size = encodeMessageIntoUnsealed(message, slab, this.batchBytes, options);
    if (size < 0) {
      // It does not fit behind what is queued: that goes first, then this frame.
      size = -size;
      this.flush();
      if (size > SLAB_BYTES) {
        const frame = new Uint8Array(size);
        encodeMessageInto(message, frame, 0, options);
        this.writeOut(frame, undefined, size);
        return true;
      }
      slab = this.slab = this.takeSlab();
      encodeMessageIntoUnsealed(message, slab, 0, options);
    }
    this.added(size);
    return true;
  }

  /** Resolves when there is room; rejects with TimeoutExpired after `timeoutMs`. */
  whenWritable(timeoutMs: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.hasRoom) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new IPCError("TimeoutExpired", `outbound queue stayed full for ${timeoutMs} ms`, { context: { timeoutMs, pendingBytes: this.pendingBytes } }));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Resolves once everything queued so far has left user space (or the queue failed). */
  whenIdle(): Promise<void> {
    if (this.pendingBytes === 0 || this.failed) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes the current batch as one chunk. Normally runs on its own (a microtask or a full slab). */
  flush(): void {
    this.scheduled = false;
    const slab = this.slab;
    if (slab === undefined || this.batchBytes === 0 || this.failed) return;
    const bytes = this.batchBytes;
    if (!this.sealRun()) return;
    this.slab = undefined;
    this.batchBytes = 0;
    this.unsealedFrom = 0;
    this.batchCount = 0;
    this.writeOut(slab, slab, bytes);
  }

  /** Drops everything queued and rejects every waiter with `error`; later pushes throw it. */
  fail(error: IPCError): void {
    if (this.failed) return;
    this.failed = error;
    this.slab = undefined;
    this.batchBytes = 0;
    this.unsealedFrom = 0;
    this.batchCount = 0;
    this.freeSlabs.length = 0;
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(error);
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Computes the CRCs of the frames encoded since the last seal, in one call.
   * False (and the queue failed) if they are not whole frames, which would be
   * a bug: bytes the peer must reject are never sent.
   */
  private sealRun(): boolean {
    const from = this.unsealedFrom;
    const to = this.batchBytes;
    if (from >= to || this.slab === undefined) return true;
    this.unsealedFrom = to;
    if (sealFrames(this.slab, from, to) >= 0) return true;
    this.fail(new IPCError("CorruptedMessage", "outbound batch is not a sequence of whole frames", { context: { from, to } }));
    return false;
  }

  private takeSlab(): Uint8Array {
    // A plain Uint8Array (not a Buffer): the wire format's byte writers stay monomorphic.
    const free = this.freeSlabs.pop();
    if (free !== undefined) return free;
    const fresh = Buffer.allocUnsafeSlow(SLAB_BYTES); // not zero-filled: every byte sent is written first
    return new Uint8Array(fresh.buffer, fresh.byteOffset, SLAB_BYTES);
  }

  /** Counts a frame just added to the batch and makes sure a flush is coming. */
  private added(size: number, frames = 1): void {
    this.batchBytes += size;
    this.batchCount += frames;
    if (!this.scheduled) {
      this.scheduled = true;
      RESOLVED.then(this.flushNow);
    }
  }

  /**
   * Hands `data[0, bytes)` to the sink: straight to the kernel when it can
   * take it now (no callback, no view), the rest through its `write`. `slab`
   * (if any) is reused once the kernel has the bytes.
   */
  private writeOut(data: Uint8Array, slab: Uint8Array | undefined, bytes: number): void {
    const taken = this.sink.tryWrite === undefined ? 0 : this.sink.tryWrite(data, bytes);
    if (taken === bytes) {
      if (slab !== undefined && this.freeSlabs.length < MAX_FREE_SLABS) this.freeSlabs.push(slab);
      this.wake();
      return;
    }
    const rest = taken === 0 && data.length === bytes ? data : data.subarray(taken, bytes);
    const left = bytes - taken;
    this.inFlightBytes += left;
    this.sink.write(rest, (error) => {
      this.inFlightBytes -= left;
      if (error) {
        if (!this.failed) this.fail(new IPCError("ChannelClosed", `write failed: ${error.message}`, { cause: error }));
      } else if (slab !== undefined && !this.failed && this.freeSlabs.length < MAX_FREE_SLABS) {
        this.freeSlabs.push(slab);
      }
      this.wake();
    });
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.hasRoom) {
      const w = this.waiters.shift()!;
      if (w.timer) clearTimeout(w.timer);
      w.resolve();
    }
    if (this.pendingBytes === 0 && this.idleWaiters.length > 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
