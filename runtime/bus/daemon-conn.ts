/**
 * One client connection of the bus daemon, seen from the daemon: its
 * subscriptions, and the delivery of frames to it with backpressure.
 *
 * Delivery first tries the channel's own bounded outbound queue. When that is
 * full the frame waits in this connection's overflow queue (also bounded, in
 * frames and bytes) until the socket drains, and the publisher of the frame
 * is held back (the daemon stops reading it) until this connection has caught
 * up, for at most `stallMs`; after that this connection counts as slow and no
 * longer holds anyone back. When the overflow is full, the daemon's
 * slow-subscriber policy applies: `drop-oldest` discards the oldest waiting
 * frame and counts it (the subscriber is told how many it lost with a
 * `nova.bus.dropped` event once it has caught up), `disconnect` closes the
 * connection. Either way the daemon's memory per connection is bounded.
 */
import { IPCError } from "../errors.js";
import type { Channel } from "../transport/types.js";
import { FrameSpool } from "./frame-spool.js";
import { Offset } from "../wire/constants.js";
import { MessageType } from "../wire/message.js";
import { eventTopicRange, TOPIC_DROPPED } from "./protocol.js";
import type { RouteSub } from "./routes.js";

/** What the daemon does with a subscriber whose queues are full. */
export type SlowSubscriberPolicy = "drop-oldest" | "disconnect";

/** Bounds of one connection's overflow queue. */
export interface OverflowLimits {
  readonly maxFrames: number;
  readonly maxBytes: number;
  readonly policy: SlowSubscriberPolicy;
  /** How long a subscriber that is behind may hold its publishers back (ms) before it counts as slow. */
  readonly stallMs: number;
}

/** Called when a connection dropped frames and has caught up: the daemon tells the subscriber. */
export type DropReporter = (conn: DaemonConnection, dropped: number, total: number) => void;

/** See the file comment. */
export class DaemonConnection {
  /** Subscriptions by id. */
  readonly subs = new Map<number, RouteSub<DaemonConnection>>();
  /** Routed calls this connection made and still waits for: its message id (decimal) → the daemon's id. */
  readonly outCalls = new Map<string, number>();
  private readonly spool = new FrameSpool();
  private draining = false;
  /** Publishers this connection holds paused (it is behind on their events). */
  private readonly blocked = new Set<DaemonConnection>();
  private stallTimer: NodeJS.Timeout | undefined;
  /** Behind for longer than `stallMs`: it no longer holds publishers back; the policy applies instead. */
  private slow = false;
  /** As a publisher: how many subscribers hold this connection's reading paused. */
  pausedBy = 0;
  /** Replays in progress: live frames wait in the overflow queue meanwhile, so they follow the replayed ones. */
  private holds = 0;
  /** Frames dropped since the last report, and in all. */
  private droppedSinceReport = 0;
  droppedTotal = 0;
  /** A drop report was itself dropped: report again even if nothing more was lost. */
  private reportLost = false;
  /** Frames that had to wait in the overflow queue (the channel's queue was full). */
  overflowed = 0;
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
    return this.spool.frames;
  }

  /**
   * Queues the frame `b[p, p + total)` for this connection (copied; the bytes
   * may be reused after the call). `sealed` false: its CRC is not valid yet
   * (the daemon patched its header) and is computed on the way out. Never
   * throws and never blocks.
   */
  deliver(b: Uint8Array, p: number, total: number, sealed = true, from?: DaemonConnection): void {
    if (this.channel.closed) return;
    if (this.holds === 0 && this.spool.frames === 0) {
      try {
        if (this.channel.trySendFrames(b, p, p + total, sealed)) return;
      } catch {
        return; // closed meanwhile, or over the peer's size limit: nothing can reach it
      }
    }
    this.enqueue(b, p, total);
    // Backpressure: the publisher waits (its sends block in the kernel) until this connection
    // has caught up, unless this one is replaying or has been behind too long already.
    if (from !== undefined && from !== this && this.holds === 0 && !this.slow && !this.channel.closed) this.holdBack(from);
  }

  /** Pauses reading from `publisher` until this connection caught up (or is found slow). */
  private holdBack(publisher: DaemonConnection): void {
    if (!this.blocked.has(publisher)) {
      this.blocked.add(publisher);
      if (publisher.pausedBy++ === 0) publisher.channel.setReadPaused(true);
    }
    if (this.stallTimer === undefined) {
      this.stallTimer = setTimeout(() => {
        this.stallTimer = undefined;
        // Behind for the whole bound: stop holding everyone back; the overflow policy decides from now on.
        this.slow = true;
        this.releasePublishers();
      }, this.limits.stallMs);
      this.stallTimer.unref();
    }
  }

  /** Resumes every publisher this connection held back. Also called when it closes. */
  releasePublishers(): void {
    if (this.stallTimer !== undefined) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
    for (const publisher of this.blocked) {
      if (--publisher.pausedBy === 0 && !publisher.channel.closed) publisher.channel.setReadPaused(false);
    }
    this.blocked.clear();
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

  private enqueue(b: Uint8Array, p: number, total: number): void {
    this.overflowed++;
    const spool = this.spool;
    if (spool.frames >= this.limits.maxFrames || spool.bytes + total > this.limits.maxBytes) {
      if (this.limits.policy === "disconnect") {
        void this.channel.close(false).catch(() => undefined);
        return;
      }
      // drop-oldest: make room from the front (the newest frame always gets in).
      while (spool.frames > 0 && (spool.frames >= this.limits.maxFrames || spool.bytes + total > this.limits.maxBytes)) {
        const [buf, at] = spool.oldest()!;
        spool.dropOldest();
        // A lost drop report is not a lost event: it is sent again (with the new total) at the next catch-up.
        if (isDropReport(buf, at)) this.reportLost = true;
        else {
          this.droppedSinceReport++;
          this.droppedTotal++;
        }
      }
    }
    spool.push(b, p, total);
    this.drain();
  }

  /** Moves spooled frames into the channel as it drains; one drain loop at a time. */
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
    const spool = this.spool;
    while (!this.channel.closed && this.holds === 0) {
      for (let head = spool.peek(); head !== undefined; head = spool.peek()) {
        const frames = spool.headFrames();
        // Spooled frames may have been queued unsealed (see deliver): sealed on the way out.
        if (!this.channel.trySendFrames(head[0], head[1], head[2], false)) break;
        spool.consumeHead(frames);
      }
      if (spool.frames === 0) {
        // Caught up: the publishers it held back go on, and it is no longer slow.
        this.slow = false;
        this.releasePublishers();
        if (this.droppedSinceReport > 0 || this.reportLost) {
          this.reportLost = false;
          const n = this.droppedSinceReport;
          this.droppedSinceReport = 0;
          this.reportDrops(this, n, this.droppedTotal);
          // The report may itself have been spooled (the channel is full): send it from this loop.
          continue;
        }
        return;
      }
      await this.channel.writable();
    }
  }
}

const DROPPED_TOPIC = new TextEncoder().encode(TOPIC_DROPPED);

/** True when the frame at `b[p]` is a `nova.bus.dropped` Event (the daemon's own, so well formed). */
function isDropReport(b: Uint8Array, p: number): boolean {
  if (b[p + Offset.messageType] !== MessageType.Event) return false;
  const [s, e] = eventTopicRange(b, p);
  if (e - s !== DROPPED_TOPIC.length) return false;
  for (let i = 0; i < DROPPED_TOPIC.length; i++) if (b[s + i] !== DROPPED_TOPIC[i]) return false;
  return true;
}
