/**
 * The transport contract (spec 5.1.1, 5.2.2): a bidirectional {@link Channel}
 * carrying NOVA {@link Message}s, and a {@link Listener} that accepts them.
 * Every transport (unix, pipe, later shm) implements exactly these shapes, so
 * RPC and the event bus never know which one they run on.
 */
import type { IPCError } from "../errors.js";
import type { Message } from "../wire/message.js";
import type { SkippedFrame } from "../wire/frame-decoder.js";
import { DEFAULT_MAX_MESSAGE_SIZE } from "../wire/constants.js";
import type { PeerCredentials } from "../../native/index.js";

/** The transports of spec 5.1.1 (UnixSocket, NamedPipe, SharedMemory). */
export type TransportType = "unix" | "pipe" | "shm";

/** Every transport name, for validation and `describe.each`. */
export const TRANSPORT_TYPES: readonly TransportType[] = ["unix", "pipe", "shm"];

/** Spec 5.1.1 bounds of `buffer_size`. */
export const MIN_BUFFER_SIZE = 4096;
/** Spec 5.1.1 bounds of `buffer_size`. */
export const MAX_BUFFER_SIZE = 1_048_576;

/** Defaults of spec 6.1.1 and the choices documented in runtime/transport/README.md. */
export const TRANSPORT_DEFAULTS = {
  /** Bytes the outbound queue may hold before `send` waits. */
  bufferSize: 262_144,
  /** Messages per queue (spec 6.1.1). */
  maxQueuedMessages: 10_000,
  /** Wire bytes of received messages a pull-mode channel holds before it stops reading (16 MiB). */
  maxQueuedBytes: 16 * 1024 * 1024,
  /** Spec 6.1.1 default message timeout. */
  timeoutMs: 5_000,
  /** Spec 6.1.1 max concurrent connections. */
  maxConnections: 1_000,
  /** The frame decoder's limit (idl/WIRE.md default). */
  maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
  /** How long a peer may leave a frame half sent before the channel is closed. */
  partialFrameTimeoutMs: 30_000,
} as const;

/** Options shared by both ends of a channel. */
export interface ChannelOptions {
  /** Outbound queue bound in bytes, 4096..1048576 (spec `buffer_size`). */
  bufferSize?: number;
  /** Outbound and inbound queue bound in messages (default 10,000). */
  maxQueuedMessages?: number;
  /**
   * Inbound (pull-mode) queue bound in bytes of frames as received (default
   * 16 MiB): past it, or past `maxQueuedMessages`, the channel stops reading
   * from its socket until `receive()` has taken it down to half of both.
   */
  maxQueuedBytes?: number;
  /** Largest frame accepted or sent, in bytes (default 16 MiB). */
  maxMessageSize?: number;
  /**
   * A peer that has sent part of a frame and then nothing more for this long
   * (ms, default 30,000; 0 = never) has the channel closed with
   * TimeoutExpired, so a truncated frame cannot hold a connection open
   * forever. Time spent with reading paused by this side (a full inbound
   * queue, a decompression in progress) does not count.
   */
  partialFrameTimeoutMs?: number;
  /** Default timeout of `send`, `receive`, graceful `close` and connecting, in ms (default 5000). */
  timeoutMs?: number;
  /**
   * Sends a Heartbeat message (pid, load, memory, uptime) this often, in ms
   * (spec 5.2.2 maintain_connection; spec default 30,000). Off when omitted:
   * RPC ignores heartbeats, but a pull-mode reader would receive them.
   */
  heartbeatIntervalMs?: number;
  /**
   * shm only: bytes of each of the two rings, a power of two in 4 KiB..256 MiB
   * (default 1 MiB). The connecting side's value applies.
   */
  shmRingBytes?: number;
  /**
   * shm only: after sending or receiving, busy-poll the inbound ring for up
   * to this many µs before parking on the doorbell (default 0: never). A
   * ping-pong then never waits for a kernel wake-up, for the price of a CPU
   * spinning that long (from a setImmediate: the loop's other work runs first).
   */
  spinUs?: number;
}

/** What {@link Channel.status} reports (spec 5.2.2 ConnectionStatus). */
export interface ConnectionStatus {
  readonly state: "open" | "closing" | "closed";
  /** Frames queued by this side and frames decoded from the peer. */
  readonly messagesSent: number;
  readonly messagesReceived: number;
  /** Milliseconds since the peer last sent anything (any frame, heartbeats included). */
  readonly idleMs: number;
  /** Bytes waiting in the outbound queue. */
  readonly outboundBytes: number;
}

/** Options of `send`. */
export interface SendOptions {
  /** How long to wait for room in a full outbound queue (default: the channel's timeout). */
  timeoutMs?: number;
}

/** Receives messages pushed by a channel in push mode (see {@link Channel.setHandler}). */
export interface ChannelHandler {
  /** One decoded message, in arrival order. */
  onMessage(message: Message): void;
  /**
   * A decoding problem; `fatal` means the channel is closing because of it.
   * `frame` is set when an intact frame (CRC valid) was skipped because its
   * body could not be decoded: its type and ids let RPC answer it.
   */
  onError?(error: IPCError, fatal: boolean, frame?: SkippedFrame): void;
  /** The channel closed (by either side); `error` is set when it was not a clean close. */
  onClose?(error: IPCError | undefined): void;
  /**
   * Optional, for routers (the bus daemon): sees every intact frame (CRC
   * checked) before its body is decoded. Returning true consumes the frame:
   * `onMessage` is not called for it. `b[p, p + total)` is valid only during
   * the call (copy what you keep) and may be modified. Channels that cannot
   * offer raw frames (in-process pairs) ignore it and call `onMessage`.
   */
  onFrame?(b: Uint8Array, p: number, total: number): boolean;
}

/**
 * A bidirectional message channel (spec `Channel`). Messages keep their order.
 * Two ways to consume: pull with {@link receive} (spec receive_message), or
 * push by installing a handler with {@link setHandler} (what RPC uses).
 */
export interface Channel {
  /** Process-unique id, for logs and call chains. */
  readonly id: number;
  readonly transport: TransportType;
  /** The resolved endpoint (a filesystem path). */
  readonly endpoint: string;
  /**
   * The peer process's credentials as the kernel recorded them when it
   * connected (SO_PEERCRED): set on channels a unix listener accepted, when
   * the native addon is built; undefined otherwise.
   */
  readonly peer?: PeerCredentials;
  /** True once closed by either side. */
  readonly closed: boolean;
  /**
   * Queues `message` (spec send_message) and resolves with its message id once
   * it is queued. When the outbound queue is full it waits up to `timeoutMs`
   * for room and then rejects with `TimeoutExpired`. Rejects with
   * `ChannelClosed`, `MessageTooLarge` or `SerializationError`.
   */
  send(message: Message, options?: SendOptions): Promise<bigint>;
  /**
   * Queues `message` if there is room right now and returns true; returns
   * false (and queues nothing) when the queue is full. Throws the same
   * errors as `send` otherwise. The hot path of RPC and fire-and-forget.
   */
  trySend(message: Message): boolean;
  /** Queues an already encoded frame (see {@link trySend}); for relays and benchmarks. */
  trySendFrame(frame: Uint8Array): boolean;
  /**
   * Queues the already encoded whole frames `b[start, end)` (one or several),
   * copying them, if there is room right now (see {@link trySend}); the
   * caller may reuse `b` at once. With `sealed` false (default true) their
   * CRC fields are computed when the batch is flushed: a router that patched
   * header fields need not reseal them itself. The bus daemon's forwarding
   * path. Throws SerializationError for a range that is not whole frames,
   * MessageTooLarge, ChannelClosed.
   */
  trySendFrames(b: Uint8Array, start: number, end: number, sealed?: boolean): boolean;
  /**
   * Stops (true) or resumes (false) reading from the peer, so that its sends
   * block in the kernel: backpressure applied by a router (the bus daemon
   * pauses a publisher while a subscriber it feeds is behind). Frames already
   * read are still delivered. Time paused does not count toward
   * `partialFrameTimeoutMs`.
   */
  setReadPaused(paused: boolean): void;
  /** Resolves when the outbound queue has room again (immediately if it has). */
  writable(): Promise<void>;
  /**
   * Takes the next message (spec receive_message), waiting up to `timeoutMs`
   * (default: the channel's timeout; `Infinity` waits forever). Rejects with
   * `TimeoutExpired`, `ChannelClosed`, `CorruptedMessage`, `DeserializationError`.
   */
  receive(timeoutMs?: number): Promise<Message>;
  /**
   * Switches to push mode: every message already queued and every later one is
   * handed to `handler` instead of `receive`. Pass `undefined` to go back.
   */
  setHandler(handler: ChannelHandler | undefined): void;
  /**
   * Closes the channel (spec close_channel). Graceful: stop sending, flush the
   * outbound queue, then close; rejects with `PendingMessages` (and closes
   * anyway) when the queue could not be flushed within the timeout.
   * Immediate: drop what is queued and close now. A second close rejects
   * with `ChannelAlreadyClosed`.
   */
  close(graceful?: boolean): Promise<void>;
  /** Resolves once the channel is closed, with the reason if it was not clean. */
  readonly closedPromise: Promise<IPCError | undefined>;
  /** Bytes and messages waiting in the outbound queue (for monitoring and tests). */
  readonly outboundBytes: number;
  /** Connection health (spec 5.2.2 maintain_connection). */
  status(): ConnectionStatus;
}

/** Options of a listener. */
export interface ListenerOptions extends ChannelOptions {
  /** Connections held at once; more are refused (default 1000, spec 6.1.1). */
  maxConnections?: number;
}

/** Accepts channels on an endpoint (server side of spec create_channel, 5.2.2 connection management). */
export interface Listener {
  readonly transport: TransportType;
  /** The resolved endpoint path clients connect to. */
  readonly endpoint: string;
  /** Open connections. */
  readonly connections: ReadonlySet<Channel>;
  /** Called for every accepted channel; set before clients connect. */
  onConnection(handler: (channel: Channel) => void): void;
  /**
   * Stops accepting, removes the endpoint from the filesystem and closes every
   * connection (gracefully or not). Rejects with `ChannelAlreadyClosed` when
   * called twice and with `PendingMessages` when a graceful close left data.
   */
  close(graceful?: boolean): Promise<void>;
}
