/**
 * The bounded, batching outbound queue of a channel.
 *
 * Frames queued during one event-loop turn are coalesced into a single write
 * (one syscall) by a flush scheduled with `process.nextTick`: a lone call is
 * flushed before the loop polls again, so batching never delays it, while a
 * burst of thousands of small frames becomes one large write.
 *
 * Memory is bounded: the queue counts the bytes not yet flushed plus the bytes
 * handed to the socket but not yet accepted by the kernel; above `maxBytes`
 * (or `maxMessages` unflushed frames) `tryPush` refuses and callers wait on
 * {@link OutboundQueue.whenWritable}.
 */
import { IPCError } from "../errors.js";

/** Where a flushed batch goes: the write side of a socket or FIFO. */
export interface ByteSink {
  /** Writes `data`; `done` runs once the bytes left user space (or failed). */
  write(data: Uint8Array, done: (error?: Error | null) => void): void;
}

interface Waiter {
  resolve(): void;
  reject(error: IPCError): void;
  timer: NodeJS.Timeout | undefined;
}

/** A bounded batching writer; see the file comment. */
export class OutboundQueue {
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private inFlightBytes = 0;
  private scheduled = false;
  private failed: IPCError | undefined;
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
    return this.batchBytes + this.inFlightBytes < this.maxBytes && this.batch.length < this.maxMessages;
  }

  /** Queues `frame` if there is room; never splits or reorders frames. */
  tryPush(frame: Uint8Array): boolean {
    if (this.failed) throw this.failed;
    if (!this.hasRoom) return false;
    this.batch.push(frame);
    this.batchBytes += frame.length;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushNow);
    }
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

  /** Writes the current batch as one chunk. Normally runs on its own via nextTick. */
  flush(): void {
    this.scheduled = false;
    if (this.batch.length === 0 || this.failed) return;
    const chunk = this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch, this.batchBytes);
    const bytes = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    this.inFlightBytes += bytes;
    this.sink.write(chunk, (error) => {
      this.inFlightBytes -= bytes;
      if (error && !this.failed) this.fail(new IPCError("ChannelClosed", `write failed: ${error.message}`, { cause: error }));
      this.wake();
    });
  }

  /** Drops everything queued and rejects every waiter with `error`; later pushes throw it. */
  fail(error: IPCError): void {
    if (this.failed) return;
    this.failed = error;
    this.batch = [];
    this.batchBytes = 0;
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(error);
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.hasRoom) {
      const w = this.waiters.shift()!;
      if (w.timer) clearTimeout(w.timer);
      w.resolve();
    }
    if (this.pendingBytes === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
