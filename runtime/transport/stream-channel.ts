/**
 * A {@link Channel} over a byte stream: a connected Unix socket (one duplex
 * socket) or a pair of FIFOs (one read socket, one write socket). Framing is
 * the NOVA wire format; batching and backpressure come from the queues.
 */
import { IPCError, isIPCError } from "../errors.js";
import type { Message } from "../wire/message.js";
import { encodeMessage, type EncodeOptions } from "../wire/frame.js";
import { FrameDecoder, type SkippedFrame } from "../wire/frame-decoder.js";
import { loadavg } from "node:os";
import { nextMessageId, nowNs } from "../wire/message-id.js";
import { InboundQueue } from "./inbound-queue.js";
import type { PeerCredentials } from "../../native/index.js";
import { OutboundQueue } from "./outbound-queue.js";
import type { ByteLink } from "./byte-link.js";
import { readU32 } from "../wire/bytes.js";
import { HEADER_SIZE, Offset } from "../wire/constants.js";
import {
  MAX_BUFFER_SIZE,
  MIN_BUFFER_SIZE,
  TRANSPORT_DEFAULTS,
  type Channel,
  type ChannelHandler,
  type ConnectionStatus,
  type ChannelOptions,
  type SendOptions,
  type TransportType,
} from "./types.js";

let nextChannelId = 1;

/** Fully resolved channel options. */
export interface ResolvedChannelOptions {
  bufferSize: number;
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  maxMessageSize: number;
  timeoutMs: number;
  /** 0 = no heartbeats. */
  heartbeatIntervalMs: number;
  /** 0 = a partial frame may wait forever. */
  partialFrameTimeoutMs: number;
}

/** Applies defaults and checks the spec's bounds (InvalidArgument otherwise). */
export function resolveChannelOptions(options: ChannelOptions = {}): ResolvedChannelOptions {
  const bufferSize = options.bufferSize ?? TRANSPORT_DEFAULTS.bufferSize;
  if (!Number.isInteger(bufferSize) || bufferSize < MIN_BUFFER_SIZE || bufferSize > MAX_BUFFER_SIZE) {
    throw new IPCError("InvalidArgument", `bufferSize must be an integer in ${MIN_BUFFER_SIZE}..${MAX_BUFFER_SIZE}, got ${bufferSize}`, {
      context: { bufferSize },
    });
  }
  const maxQueuedMessages = options.maxQueuedMessages ?? TRANSPORT_DEFAULTS.maxQueuedMessages;
  const maxQueuedBytes = options.maxQueuedBytes ?? TRANSPORT_DEFAULTS.maxQueuedBytes;
  const maxMessageSize = options.maxMessageSize ?? TRANSPORT_DEFAULTS.maxMessageSize;
  const timeoutMs = options.timeoutMs ?? TRANSPORT_DEFAULTS.timeoutMs;
  for (const [name, value] of Object.entries({ maxQueuedMessages, maxQueuedBytes, maxMessageSize, timeoutMs })) {
    if (!(value > 0)) throw new IPCError("InvalidArgument", `${name} must be positive, got ${value}`, { context: { [name]: value } });
  }
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 0;
  if (!(heartbeatIntervalMs >= 0)) {
    throw new IPCError("InvalidArgument", `heartbeatIntervalMs must be >= 0, got ${heartbeatIntervalMs}`, { context: { heartbeatIntervalMs } });
  }
  const partialFrameTimeoutMs = options.partialFrameTimeoutMs ?? TRANSPORT_DEFAULTS.partialFrameTimeoutMs;
  if (!(partialFrameTimeoutMs >= 0) || !Number.isFinite(partialFrameTimeoutMs)) {
    throw new IPCError("InvalidArgument", `partialFrameTimeoutMs must be a finite number >= 0, got ${partialFrameTimeoutMs}`, {
      context: { partialFrameTimeoutMs },
    });
  }
  return { bufferSize, maxQueuedMessages, maxQueuedBytes, maxMessageSize, timeoutMs, heartbeatIntervalMs, partialFrameTimeoutMs };
}

/** How a stream channel is wired. */
export interface StreamChannelParts {
  transport: TransportType;
  endpoint: string;
  /** The byte streams: {@link socketLink} over sockets (unix, pipe), a ShmLink over rings (shm). */
  link: ByteLink;
  options: ResolvedChannelOptions;
  /** The peer's credentials, where the transport could read them. */
  peer?: PeerCredentials;
}

/** A channel over one or two stream sockets; see the file comment. */
export class StreamChannel implements Channel {
  readonly id = nextChannelId++;
  readonly transport: TransportType;
  readonly endpoint: string;
  readonly closedPromise: Promise<IPCError | undefined>;
  readonly peer: PeerCredentials | undefined;
  private readonly link: ByteLink;
  private readonly opts: ResolvedChannelOptions;
  private readonly outbound: OutboundQueue;
  private readonly inbound: InboundQueue;
  private readonly decoder: FrameDecoder;
  private handler: ChannelHandler | undefined;
  private isClosed = false;
  private userClosed = false;
  private resolveClosed!: (reason: IPCError | undefined) => void;
  private sent = 0;
  private received = 0;
  private lastInput = performance.now();
  private heartbeat: NodeJS.Timeout | undefined;
  /** Reading is paused by this side: the pull-mode queue is full, or the decoder waits for a decompression. */
  private inboundFull = false;
  private decodeStalled = false;
  /** Reading paused by the owner (setReadPaused): a router applying backpressure. */
  private ownerPaused = false;
  /** When reading last resumed after such a pause (the peer could not send while we did not read). */
  private resumedAt = 0;
  /** Armed only while a partial frame is buffered (see checkPartialFrame). */
  private partialTimer: NodeJS.Timeout | undefined;
  /** One options object for every encode, instead of a fresh one per message. */
  private readonly encodeOptions: EncodeOptions;

  constructor(parts: StreamChannelParts) {
    this.transport = parts.transport;
    this.endpoint = parts.endpoint;
    this.peer = parts.peer;
    this.link = parts.link;
    this.opts = parts.options;
    this.encodeOptions = { maxMessageSize: this.opts.maxMessageSize };
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.outbound = new OutboundQueue(
      this.link.sink,
      this.opts.bufferSize,
      this.opts.maxQueuedMessages,
    );
    this.inbound = new InboundQueue(this.opts.maxQueuedMessages, this.opts.maxQueuedBytes, (full) => {
      this.inboundFull = full;
      this.updateReading();
    });
    this.decoder = new FrameDecoder({
      maxMessageSize: this.opts.maxMessageSize,
      onMessage: (message: Message, frameBytes: number) => {
        this.received++;
        if (this.handler) this.handler.onMessage(message);
        else this.inbound.push(message, frameBytes);
      },
      onError: (error: IPCError, fatal: boolean, frame?: SkippedFrame) => {
        // Push mode: the handler hears about it (or not at all); pull mode: the next receive rejects.
        if (this.handler) this.handler.onError?.(error, fatal, frame);
        else if (!fatal) this.inbound.pushError(error, frame);
        if (fatal) this.terminate(error);
      },
      onStall: (stalled: boolean) => {
        // A compressed frame is being decompressed off the thread: stop reading until it is
        // delivered, so what waits behind it stays bounded by one socket read.
        this.decodeStalled = stalled;
        this.updateReading();
      },
    });
    const onChunk = (chunk: Uint8Array): void => {
      this.lastInput = performance.now();
      this.decoder.push(chunk);
      // One property read per chunk; the timer exists only while a frame is incomplete.
      if (this.partialTimer === undefined && this.decoder.hasBufferedInput && this.opts.partialFrameTimeoutMs > 0) {
        this.armPartialTimer(this.opts.partialFrameTimeoutMs);
      }
    };
    this.link.start(onChunk, (e) => this.terminate(e === undefined ? undefined : this.closedError(e)));
    if (this.opts.heartbeatIntervalMs > 0) {
      this.heartbeat = setInterval(() => this.sendHeartbeat(), this.opts.heartbeatIntervalMs);
      this.heartbeat.unref();
    }
  }

  /** Pauses the input while this side cannot take more, resumes it otherwise. */
  private updateReading(): void {
    if (this.isClosed) return;
    if (this.inboundFull || this.decodeStalled || this.ownerPaused) {
      this.link.setPaused(true);
    } else {
      this.resumedAt = performance.now();
      this.link.setPaused(false);
    }
  }

  private armPartialTimer(ms: number): void {
    this.partialTimer = setTimeout(() => this.checkPartialFrame(), ms);
    this.partialTimer.unref();
  }

  /**
   * The partial-frame timer fired: close the channel if the peer has left a
   * frame incomplete and sent nothing for the whole limit. Re-armed for the
   * rest of the limit when it sent something meanwhile, or while this side
   * has paused reading (that wait is ours, not the peer's).
   */
  private checkPartialFrame(): void {
    this.partialTimer = undefined;
    if (this.isClosed || !this.decoder.hasBufferedInput) return;
    const limit = this.opts.partialFrameTimeoutMs;
    if (this.inboundFull || this.decodeStalled || this.ownerPaused) return this.armPartialTimer(limit);
    const idle = performance.now() - Math.max(this.lastInput, this.resumedAt);
    if (idle < limit) return this.armPartialTimer(Math.max(1, Math.ceil(limit - idle)));
    const buffered = this.decoder.bufferedBytes;
    this.terminate(
      new IPCError("TimeoutExpired", `the peer left a frame incomplete (${buffered} bytes buffered) and sent nothing for ${limit} ms`, {
        context: { channel: this.id, endpoint: this.endpoint, bufferedBytes: buffered, partialFrameTimeoutMs: limit },
      }),
    );
  }

  status(): ConnectionStatus {
    return {
      state: this.isClosed ? "closed" : this.userClosed ? "closing" : "open",
      messagesSent: this.sent,
      messagesReceived: this.received,
      idleMs: performance.now() - this.lastInput,
      outboundBytes: this.outbound.pendingBytes,
    };
  }

  private sendHeartbeat(): void {
    if (this.isClosed || this.userClosed) return;
    try {
      this.trySend({
        type: "heartbeat",
        messageId: nextMessageId(),
        correlationId: 0n,
        timestampNs: nowNs(),
        body: {
          pid: BigInt(process.pid),
          loadAverage: loadavg()[0],
          memoryBytes: BigInt(process.memoryUsage.rss()),
          uptimeSeconds: BigInt(Math.floor(process.uptime())),
        },
      });
    } catch {
      // A full or closing queue skips this beat; the next one tries again.
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get outboundBytes(): number {
    return this.outbound.pendingBytes;
  }

  trySend(message: Message): boolean {
    if (this.isClosed || this.userClosed) throw this.channelClosed();
    if (!this.encodeQueued(message)) return false;
    this.sent++;
    return true;
  }

  trySendFrame(frame: Uint8Array): boolean {
    if (this.isClosed || this.userClosed) throw this.channelClosed();
    if (frame.length > this.opts.maxMessageSize) throw this.tooLarge(frame.length);
    const queued = this.outbound.tryPush(frame);
    if (queued) this.sent++;
    return queued;
  }

  setReadPaused(paused: boolean): void {
    if (this.ownerPaused === paused) return;
    this.ownerPaused = paused;
    this.updateReading();
  }

  trySendFrames(b: Uint8Array, start: number, end: number, sealed = true): boolean {
    if (this.isClosed || this.userClosed) throw this.channelClosed();
    // Whole frames only, each within the size limit: a bad range would desynchronise the peer.
    let frames = 0;
    let p = start;
    while (p < end) {
      if (end - p < HEADER_SIZE) break;
      const len = readU32(b, p + Offset.payloadLength);
      if (len > this.opts.maxMessageSize) throw this.tooLarge(len);
      p += HEADER_SIZE + len;
      frames++;
    }
    if (p !== end) throw new IPCError("SerializationError", "trySendFrames needs a range of whole frames", { context: { start, end } });
    const queued = this.outbound.tryPushRange(b, start, end, frames, sealed);
    if (queued) this.sent += frames;
    return queued;
  }

  async send(message: Message, options: SendOptions = {}): Promise<bigint> {
    if (this.isClosed || this.userClosed) throw this.channelClosed();
    // Room now: encoded straight into the batch. Otherwise encode it on its own and wait for room.
    if (!this.encodeQueued(message)) await this.sendLater(this.encode(message), options.timeoutMs ?? this.opts.timeoutMs);
    this.sent++;
    return message.messageId;
  }

  writable(): Promise<void> {
    if (this.isClosed) return Promise.reject(this.channelClosed());
    return this.outbound.whenWritable(Infinity);
  }

  receive(timeoutMs?: number): Promise<Message> {
    return this.inbound.receive(timeoutMs ?? this.opts.timeoutMs);
  }

  setHandler(handler: ChannelHandler | undefined): void {
    this.handler = handler;
    const onFrame = handler?.onFrame;
    this.decoder.setFrameHook(
      onFrame === undefined
        ? undefined
        : (b, p, total) => {
            if (!onFrame.call(handler, b, p, total)) return false;
            this.received++;
            return true;
          },
    );
    if (!handler) return;
    for (const entry of this.inbound.drain()) {
      if ("message" in entry) handler.onMessage(entry.message);
      else handler.onError?.(entry.error, false, entry.frame);
    }
    if (this.isClosed) handler.onClose?.(undefined);
  }

  async close(graceful = true): Promise<void> {
    if (this.isClosed || this.userClosed) {
      throw new IPCError("ChannelAlreadyClosed", `channel ${this.id} to ${this.endpoint} is already closed`, { context: { channel: this.id } });
    }
    this.userClosed = true;
    if (!graceful) {
      this.terminate(undefined);
      return;
    }
    this.outbound.flush();
    let timer: NodeJS.Timeout | undefined;
    const flushed = await Promise.race([
      this.outbound.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.opts.timeoutMs))),
    ]);
    clearTimeout(timer);
    const pending = this.outbound.pendingBytes;
    if (!flushed && pending > 0) {
      this.terminate(undefined);
      throw new IPCError("PendingMessages", `graceful close left ${pending} bytes unsent after ${this.opts.timeoutMs} ms`, {
        context: { pendingBytes: pending, timeoutMs: this.opts.timeoutMs },
      });
    }
    // Half-close so the peer reads everything and then sees end-of-stream.
    await new Promise<void>((resolve) => {
      if (this.isClosed) return resolve();
      this.link.end(() => resolve());
      setTimeout(resolve, this.opts.timeoutMs).unref();
    });
    this.terminate(undefined);
  }

  /** Tears everything down once; idempotent. */
  private terminate(reason: IPCError | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.partialTimer) clearTimeout(this.partialTimer);
    // Drops a decompression still in flight (and what waits behind it): nothing is delivered after the close.
    this.decoder.reset();
    const error = reason ?? this.channelClosed();
    this.outbound.fail(error);
    this.inbound.close(error);
    this.link.destroy();
    this.handler?.onClose?.(reason);
    this.resolveClosed(reason);
  }

  private async sendLater(frame: Uint8Array, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.outbound.tryPush(frame)) {
      await this.outbound.whenWritable(Math.max(0, deadline - Date.now()));
      if (this.isClosed || this.userClosed) throw this.channelClosed();
    }
  }

  /** Encodes `message` into the outbound batch; false when the queue is full. */
  private encodeQueued(message: Message): boolean {
    try {
      return this.outbound.tryPushMessage(message, this.encodeOptions);
    } catch (error) {
      if (isIPCError(error)) throw error;
      throw new IPCError("SerializationError", `cannot encode message: ${(error as Error).message}`, { cause: error });
    }
  }

  private encode(message: Message): Uint8Array {
    try {
      return encodeMessage(message, this.encodeOptions);
    } catch (error) {
      if (isIPCError(error)) throw error;
      throw new IPCError("SerializationError", `cannot encode message: ${(error as Error).message}`, { cause: error });
    }
  }

  private tooLarge(size: number): IPCError {
    return new IPCError("MessageTooLarge", `frame of ${size} bytes exceeds the limit of ${this.opts.maxMessageSize}`, {
      context: { size, maxMessageSize: this.opts.maxMessageSize },
    });
  }

  private channelClosed(): IPCError {
    return new IPCError("ChannelClosed", `channel ${this.id} to ${this.endpoint} is closed`, { context: { channel: this.id, endpoint: this.endpoint } });
  }

  private closedError(cause: Error): IPCError {
    return new IPCError("ChannelClosed", `channel ${this.id} to ${this.endpoint} failed: ${cause.message}`, {
      cause,
      context: { channel: this.id, endpoint: this.endpoint, errno: (cause as NodeJS.ErrnoException).code },
    });
  }
}
