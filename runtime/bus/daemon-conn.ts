/**
 * One client connection of the bus daemon, seen from the daemon: its
 * subscriptions, and the delivery of frames to it with backpressure.
 *
 * Delivery first tries the channel's own bounded outbound queue. When that is
 * full the frame waits in this connection's overflow queue (also bounded, in
 * frames and bytes) until the socket drains. When the overflow is full too,
 * the daemon's slow-subscriber policy applies: `drop-oldest` discards the
 * oldest waiting frame and counts it (the subscriber is told how many it lost
 * with a `nova.bus.dropped` event once it has caught up), `disconnect` closes
 * the connection. Either way the daemon's memory per connection is bounded.
 */
import { IPCError } from "../errors.js";
import type { Channel } from "../transport/types.js";
import { SLAB_BYTES } from "../transport/outbound-queue.js";
import type { RouteSub } from "./routes.js";

/** What the daemon does with a subscriber whose queues are full. */
export type SlowSubscriberPolicy = "drop-oldest" | "disconnect";

/** Bounds of one connection's overflow queue. */
export interface OverflowLimits {
  readonly maxFrames: number;
  readonly maxBytes: number;
  readonly policy: SlowSubscriberPolicy;
}

/** Called when a connection dropped frames and has caught up: the daemon tells the subscriber. */
export type DropReporter = (conn: DaemonConnection, dropped: number, total: number) => void;

/** See the file comment. */
export class DaemonConnection {
  /** Subscriptions by id. */
  readonly subs = new Map<number, RouteSub<DaemonConnection>>();
  /** Routed calls this connection made and still waits for: its message id (decimal) → the daemon's id. */
  readonly outCalls = new Map<string, number>();
  private overflow: Uint8Array[] = [];
  private head = 0;
  private overflowBytes = 0;
  private draining = false;
  /** Replays in progress: live frames wait in the overflow queue meanwhile, so they follow the replayed ones. */
  private holds = 0;
  /** Frames dropped since the last report, and in all. */
  private droppedSinceReport = 0;
  droppedTotal = 0;
  /** The last topic read from this connection, by bytes, so a repeated topic is not decoded again. */
  lastTopicBytes: Uint8Array = new Uint8Array(0);
  lastTopic = "";

  constructor(
    readonly id: number,
    readonly channel: Channel,
    private readonly limits: OverflowLimits,
    private readonly reportDrops: DropReporter,
  ) {}

  /** True once the channel closed. */
  get closed(): boolean {
    return this.channel.closed;
  }

  /** Frames waiting in the overflow queue. */
  get queuedFrames(): number {
    return this.overflow.length - this.head;
  }

  /**
   * Queues the frame `b[p, p + total)` for this connection (copied; the bytes
   * may be reused after the call). Never throws and never blocks.
   */
  deliver(b: Uint8Array, p: number, total: number): void {
    if (this.channel.closed) return;
    if (this.holds === 0 && this.queuedFrames === 0) {
      // A frame bigger than a batch slab would be queued by reference: give the queue its own copy.
      const frame = total > SLAB_BYTES ? b.slice(p, p + total) : b.subarray(p, p + total);
      try {
        if (this.channel.trySendFrame(frame)) return;
      } catch {
        return; // closed meanwhile, or over the peer's size limit: nothing can reach it
      }
    }
    this.enqueue(b.slice(p, p + total));
  }

  /** Starts a replay: live frames are held back until {@link release}. */
  hold(): void {
    this.holds++;
  }

  /** Ends a replay: the held frames follow. */
  release(): void {
    if (this.holds > 0) this.holds--;
    if (this.holds === 0) this.drain();
  }

  /** Sends `frame` now, waiting for room (replays: they are read at the pace the subscriber takes them). */
  async sendWaiting(frame: Uint8Array): Promise<void> {
    while (!this.channel.closed) {
      if (this.channel.trySendFrame(frame)) return;
      await this.channel.writable();
    }
    throw new IPCError("ChannelClosed", `bus connection :${this.id} closed`);
  }

  private enqueue(frame: Uint8Array): void {
    if (this.queuedFrames >= this.limits.maxFrames || this.overflowBytes + frame.length > this.limits.maxBytes) {
      if (this.limits.policy === "disconnect") {
        void this.channel.close(false).catch(() => undefined);
        return;
      }
      // drop-oldest: make room from the front (at least one frame, so the newest always fits).
      while (this.queuedFrames > 0 && (this.queuedFrames >= this.limits.maxFrames || this.overflowBytes + frame.length > this.limits.maxBytes)) {
        const old = this.overflow[this.head]!;
        this.overflow[this.head++] = EMPTY;
        this.overflowBytes -= old.length;
        this.droppedSinceReport++;
        this.droppedTotal++;
      }
    }
    this.overflow.push(frame);
    this.overflowBytes += frame.length;
    this.drain();
  }

  /** Moves overflow frames into the channel as it drains; one drain loop at a time. */
  private drain(): void {
    if (this.draining || this.holds > 0) return;
    this.draining = true;
    void this.drainLoop()
      .catch(() => undefined) // the channel closed while waiting for room: nothing more to send
      .finally(() => {
        this.draining = false;
      });
  }

  private async drainLoop(): Promise<void> {
    while (!this.channel.closed && this.holds === 0) {
      while (this.head < this.overflow.length) {
        const frame = this.overflow[this.head]!;
        let sent: boolean;
        try {
          sent = this.channel.trySendFrame(frame);
        } catch {
          return;
        }
        if (!sent) break;
        this.overflow[this.head++] = EMPTY;
        this.overflowBytes -= frame.length;
      }
      if (this.head >= this.overflow.length) {
        this.overflow = [];
        this.head = 0;
        if (this.droppedSinceReport > 0) {
          const n = this.droppedSinceReport;
          this.droppedSinceReport = 0;
          this.reportDrops(this, n, this.droppedTotal);
        }
        return;
      }
      // Compact now and then, so the array does not keep growing at the front.
      if (this.head > 1024 && this.head * 2 > this.overflow.length) {
        this.overflow = this.overflow.slice(this.head);
        this.head = 0;
      }
      await this.channel.writable();
    }
  }
}

const EMPTY = new Uint8Array(0);
