/**
 * The byte link of the `shm` transport: NOVA frames travel through two
 * single-producer single-consumer byte rings in one shared-memory region (a
 * memfd the client created and passed to the server), one ring per
 * direction. The Unix socket of the handshake stays open only as the
 * liveness line: the peer's exit or crash closes it, which this side sees
 * as end of stream (after reading whatever the peer had published).
 *
 * Wake-ups: each side owns an eventfd "doorbell" watched on its event loop
 * (uv_poll, native/src/watch.cc) and holds the peer's. A consumer that finds
 * its ring empty arms `consumerWaiting` and returns to the loop; a producer
 * that publishes bytes and finds the flag armed clears it and rings the
 * doorbell (one write(2)). A producer that finds the ring full arms
 * `producerWaiting`; the consumer rings back once it has freed space. The
 * flag is armed before the final emptiness check and read after the
 * publication, both sequentially consistent, so a wake-up is never lost.
 *
 * Opt-in spinning (`spinUs`): after this side publishes bytes or drains its
 * ring, it polls the inbound ring for up to `spinUs` microseconds (from a
 * setImmediate, so the loop's other work runs first) before parking: a
 * ping-pong then never pays the kernel wake-up, at the price of burning the
 * CPU for that long. Off by default. Adaptive: after four spins in a row that
 * found nothing (an idle peer, or a peer that cannot run while this side
 * spins because the scheduler put both on one CPU), the next 64 occasions to
 * spin are skipped.
 */
import { closeFds } from "./descriptors.js";
import { constants } from "node:os";
import { nativeShm, type ShmNative } from "../../native/index.js";
import type { SharedRegion } from "../shm/region.js";
import type { SpscByteRing } from "../shm/byte-ring.js";
import type { ByteLink } from "./byte-link.js";
import type { ByteSink } from "./outbound-queue.js";

/** What a {@link ShmLink} is made of; it owns all of it (closes it on destroy). */
export interface ShmLinkParts {
  region: SharedRegion;
  /** The ring this side writes. */
  outbound: SpscByteRing;
  /** The ring this side reads. */
  inbound: SpscByteRing;
  /** This side's doorbell (watched). */
  ownDoorbell: number;
  /** The peer's doorbell (rung). */
  peerDoorbell: number;
  /** The handshake socket, kept open as the liveness line. */
  socketFd: number;
  /** Busy-poll budget in µs before parking (0: never spin). */
  spinUs: number;
}

/** How often a spinning side yields its CPU (ms). */
const SPIN_YIELD_MS = 0.005;

/** Consecutive fruitless spins after which spinning backs off... */
const SPIN_FAILS_BEFORE_BACKOFF = 4;
/** ...for this many occasions to spin. */
const SPIN_BACKOFF = 64;

/** Bytes handed to the channel per call, like one socket read (READ_BUFFER_BYTES). */
const MAX_CHUNK = 64 * 1024;

interface PendingWrite {
  data: Uint8Array;
  /** Bytes of `data` already in the ring. */
  offset: number;
  done: (error?: Error | null) => void;
}

/** The shm {@link ByteLink}; see the file comment. */
export class ShmLink implements ByteLink {
  readonly sink: ByteSink;
  readonly #native: ShmNative = nativeShm();
  readonly #p: ShmLinkParts;
  #onChunk: (chunk: Uint8Array) => void = () => {};
  #onEnd: (error?: Error) => void = () => {};
  #doorbellWatch = 0;
  #socketWatch = 0;
  #paused = false;
  #ended = false;
  /** The liveness socket reported the peer gone: end once the ring is drained. */
  #peerGone = false;
  #destroyed = false;
  #draining = false;
  #spinScheduled = false;
  #bellQueued = false;
  /** Spins in a row that timed out, and spins to skip after too many (adaptive spinning). */
  #spinFails = 0;
  #spinSkips = 0;
  /** Published bytes past which the peer's bell rings at once instead of at the end of the turn. */
  readonly #ringSoonBytes: number;
  readonly #pending: PendingWrite[] = [];
  readonly #probe = new Uint8Array(64);

  constructor(parts: ShmLinkParts) {
    this.#p = parts;
    this.#ringSoonBytes = parts.outbound.capacity >>> 2;
    this.sink = {
      tryWrite: (data, length) => this.#tryWrite(data, length),
      write: (data, done) => this.#write(data, done),
    };
  }

  start(onChunk: (chunk: Uint8Array) => void, onEnd: (error?: Error) => void): void {
    this.#onChunk = onChunk;
    this.#onEnd = onEnd;
    const n = this.#native;
    this.#doorbellWatch = n.watchFd(this.#p.ownDoorbell, true, () => this.#onDoorbell());
    // The doorbell alone does not keep the process alive; the liveness socket does (like a socket channel's).
    n.refWatch(this.#doorbellWatch, false);
    this.#socketWatch = n.watchFd(this.#p.socketFd, false, (events) => this.#onSocket(events));
    this.#drain();
  }

  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    if (!paused && !this.#destroyed) queueMicrotask(() => this.#drain());
  }

  end(done: () => void): void {
    // Everything the channel flushed is in the ring (pending writes are part of
    // the flush it waited for); closing the liveness socket tells the peer, which
    // reads what is published before it reports the end.
    this.#p.outbound.close();
    this.#ring();
    done();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    const n = this.#native;
    if (this.#doorbellWatch !== 0) n.unwatchFd(this.#doorbellWatch);
    this.#unwatchSocket();
    closeFds([this.#p.ownDoorbell, this.#p.peerDoorbell, this.#p.socketFd]);
    this.#p.region.close();
    const error = new Error("channel closed");
    for (const w of this.#pending.splice(0)) w.done(error);
  }

  /** The outbound queue's direct write: as much of `data[0, length)` as the ring takes now. */
  #tryWrite(data: Uint8Array, length: number): number {
    if (this.#destroyed || this.#pending.length > 0) return 0;
    let n: number;
    try {
      n = this.#p.outbound.writeSome(data, 0, length);
    } catch (error) {
      this.#end(corrupted(error));
      return 0;
    }
    if (n > 0) this.#published();
    return n;
  }

  /** The rest of a batch: written as the peer frees space (in order, after earlier pending ones). */
  #write(data: Uint8Array, done: (error?: Error | null) => void): void {
    if (this.#destroyed) return done(new Error("channel closed"));
    this.#pending.push({ data, offset: 0, done });
    this.#flushPending();
  }

  #flushPending(): void {
    const ring = this.#p.outbound;
    try {
      while (this.#pending.length > 0) {
        const w = this.#pending[0]!;
        const n = ring.writeSome(w.data, w.offset, w.data.length);
        if (n > 0) {
          w.offset += n;
          this.#published();
        }
        if (w.offset < w.data.length) {
          // Full: ask the consumer to ring back when it has made room; re-check after arming.
          if (ring.armProducerWait()) return;
          continue;
        }
        this.#pending.shift();
        w.done(null);
      }
    } catch (error) {
      this.#end(corrupted(error));
    }
  }

  /**
   * After publishing bytes: wake the peer if it parked (at once when a
   * quarter of the ring is waiting, else at the end of this turn: a sender
   * producing thousands of frames in one turn then wakes a parked reader
   * every quarter ring, not every 64 KiB batch — on a VM a wake-up that
   * finds the other CPU halted costs tens of microseconds), and maybe spin
   * for its answer. A lone message is flushed from a microtask, so its bell
   * still rings before the loop polls again.
   */
  #published(): void {
    const ring = this.#p.outbound;
    if (ring.readable() >= this.#ringSoonBytes) {
      if (ring.takeConsumerWait()) this.#native.eventfdSignal(this.#p.peerDoorbell);
    } else if (!this.#bellQueued) {
      this.#bellQueued = true;
      queueMicrotask(this.#bellLater);
    }
    this.#scheduleSpin();
  }

  readonly #bellLater = (): void => {
    this.#bellQueued = false;
    if (!this.#destroyed && this.#p.outbound.takeConsumerWait()) this.#native.eventfdSignal(this.#p.peerDoorbell);
  };

  #ring(): void {
    try {
      this.#native.eventfdSignal(this.#p.peerDoorbell);
    } catch {
      // The peer is gone; its socket tells us.
    }
  }

  #onDoorbell(): void {
    if (this.#pending.length > 0) this.#flushPending();
    this.#drain();
  }

  /** Delivers everything published in the inbound ring, then parks (arms the doorbell). */
  #drain(): void {
    if (this.#draining || this.#destroyed || this.#ended) return;
    this.#draining = true;
    try {
      this.#drainRing();
    } catch (error) {
      this.#end(corrupted(error));
    } finally {
      this.#draining = false;
    }
  }

  /** The body of #drain: delivers what is published, then parks (or ends). */
  #drainRing(): void {
    const ring = this.#p.inbound;
    for (;;) {
      while (!this.#paused && !this.#destroyed && ring.readable() > 0) {
        // At most a socket read's worth at a time, so a pause (the channel's
        // inbound queue filled up) takes effect within one such chunk.
        let chunk = ring.peek();
        if (chunk.length > MAX_CHUNK) chunk = chunk.subarray(0, MAX_CHUNK);
        this.#onChunk(chunk);
        if (this.#destroyed) return;
        ring.consume(chunk.length);
        // A writer parked on a full ring is woken once a quarter of it is free (or all
        // of it is read): fewer wake-ups than one per chunk, each costly across CPUs.
        if ((ring.readable() === 0 || ring.capacity - ring.readable() >= this.#ringSoonBytes) && ring.takeProducerWait()) {
          this.#native.eventfdSignal(this.#p.peerDoorbell);
        }
      }
      if (this.#paused || this.#destroyed) return;
      if (this.#peerGone || ring.closed || ring.armConsumerWait()) break;
    }
    if ((this.#peerGone || ring.closed) && ring.readable() === 0) this.#end();
    else this.#scheduleSpin();
  }

  #scheduleSpin(): void {
    if (this.#p.spinUs <= 0 || this.#spinScheduled || this.#destroyed) return;
    if (this.#spinSkips > 0) {
      this.#spinSkips--;
      return;
    }
    this.#spinScheduled = true;
    setImmediate(() => this.#spin());
  }

  /** Polls the inbound ring for up to spinUs before leaving the wake-up to the doorbell. */
  #spin(): void {
    try {
      this.#spinScheduled = false;
      if (this.#destroyed || this.#paused || this.#peerGone) return;
      const ring = this.#p.inbound;
      // While spinning the peer need not ring (a write(2) it can save): lower the flag, re-arm after.
      ring.takeConsumerWait();
      const start = performance.now();
      const until = start + this.#p.spinUs / 1000;
      let yieldAt = start + SPIN_YIELD_MS;
      while (ring.readable() === 0 && this.#pending.length === 0) {
        const now = performance.now();
        // Every few µs, let a peer the scheduler put on this CPU run: spinning
        // without it would only delay the answer being waited for.
        if (now >= yieldAt) {
          this.#native.schedYield();
          yieldAt = now + SPIN_YIELD_MS;
        }
        if (now >= until) {
          // Spins that keep finding nothing (an idle peer, or one that cannot run
          // while we spin: both on one CPU) back off: no spinning for a while.
          if (++this.#spinFails >= SPIN_FAILS_BEFORE_BACKOFF) {
            this.#spinFails = 0;
            this.#spinSkips = SPIN_BACKOFF;
          }
          if (ring.armConsumerWait()) return;
          break;
        }
      }
      this.#spinFails = 0;
      if (this.#pending.length > 0) this.#flushPending();
      this.#drain();
    } catch (error) {
      this.#end(corrupted(error));
    }
  }

  /** The liveness socket: readable with 0 bytes (or hang-up) means the peer closed or died. */
  #onSocket(events: number): void {
    if (this.#destroyed) return;
    if ((events & 2) === 0) {
      const { bytes } = this.#native.recvFds(this.#p.socketFd, this.#probe);
      // More handshake bytes than expected are ignored; EAGAIN is a spurious wake-up.
      if (bytes !== 0 && bytes !== -constants.errno.ECONNRESET) return;
    }
    // Read what the peer published before it went (a crash mid-write left no
    // partial record visible); the end follows once that is delivered, which
    // waits for a resume when the channel has paused reading.
    this.#peerGone = true;
    this.#unwatchSocket();
    this.#drain();
  }

  #unwatchSocket(): void {
    if (this.#socketWatch === 0) return;
    this.#native.unwatchFd(this.#socketWatch);
    this.#socketWatch = 0;
  }

  /** Reports the end once: the peer is gone (no error) or broke the ring protocol (`error`). */
  #end(error?: Error): void {
    if (this.#ended || this.#destroyed) return;
    this.#ended = true;
    this.#unwatchSocket();
    this.#onEnd(error);
  }
}

/**
 * The shared memory broke the ring protocol (a position out of range: a
 * faulty or hostile peer): the channel ends with this error, never the
 * process with an uncaught exception in a loop callback.
 */
function corrupted(error: unknown): Error {
  const cause = error instanceof Error ? error : new Error(String(error));
  return new Error(`shared-memory ring corrupted by the peer: ${cause.message}`, { cause });
}
