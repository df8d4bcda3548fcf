/**
 * The bus daemon (`nova bus`, issue 12 item 3): one process that components
 * connect to, which routes published events to the subscribers whose patterns
 * and filters match, owns well-known names and routes RPC calls addressed to
 * a name to its owner. Embeddable: `await BusDaemon.start({socket})`.
 *
 * Events are forwarded without decoding their values: the daemon reads the
 * topic from the Event's fixed fields, stamps its own event id, the
 * publisher's connection id and (for persisted events) the log offset into
 * the header, reseals the CRC once and copies the frame to each subscribed
 * connection. Values are decoded only when a matching subscription has a
 * filter. The protocol is idl/WIRE.md §12; runtime/bus/README.md has the
 * design and the limits.
 */
import { IPCError } from "../errors.js";
import { listen } from "../transport/create-channel.js";
import { ensurePrivateDirectory } from "../transport/endpoint.js";
import { MAX_BUFFER_SIZE, type Channel, type ChannelOptions, type Listener } from "../transport/types.js";
import { parsePattern } from "../events/topic-pattern.js";
import { EventLog, type EventLogOptions, type FsyncPolicy } from "../events/log/event-log.js";
import { readU16, writeU32 } from "../wire/bytes.js";
import { Flag, HEADER_SIZE, Offset } from "../wire/constants.js";
import { decodeCheckedFrame, encodeMessage } from "../wire/frame.js";
import type { SkippedFrame } from "../wire/frame-decoder.js";
import { MessageType, type EventMessage, type Message } from "../wire/message.js";
import { nowNs } from "../wire/message-id.js";
import { dirname } from "node:path";
import type { SchemaRegistry } from "../registry/schema-registry.js";
import { DaemonConnection, type SlowSubscriberPolicy } from "./daemon-conn.js";
import { handleControl, type ControlHost } from "./daemon-control.js";
import { NameRegistry, uniqueName, type OwnerChange } from "./names.js";
import {
  defaultBusSocket,
  eventTopicRange,
  readIdField,
  requestMethodRange,
  resealFrame,
  TOPIC_DROPPED,
  TOPIC_NAME_OWNER_CHANGED,
  TOPIC_REJECTED,
  writeIdField,
  EVENT_SOURCE_OFFSET,
} from "./protocol.js";
import { RoutedCalls, type RoutedCall } from "./routed-calls.js";
import { RouteTable, type Route } from "./routes.js";
import { replyError } from "./daemon-replies.js";
import { routeRequest } from "./daemon-rpc.js";

/** Options of {@link BusDaemon.start}. */
export interface BusDaemonOptions extends ChannelOptions {
  /** Socket path (default `$NOVA_BUS_SOCKET`, else `$XDG_RUNTIME_DIR/nova/bus.sock`). */
  socket?: string;
  /** The transport clients connect over: `unix` (default) or `pipe` (named pipes; `socket` is then the pipe endpoint). */
  transport?: "unix" | "pipe";
  /** Directory of the persistent event log; without it nothing is persisted and replay is refused. */
  log?: string;
  /** fsync policy of the log (default `group`). */
  fsync?: FsyncPolicy;
  /** Further options of the log (rotation, retention, ...). */
  logOptions?: Omit<EventLogOptions, "fsync">;
  /** Topic patterns whose events are always persisted (needs `log`). */
  persistTopics?: readonly string[];
  /**
   * A schema registry (nova-gen's schema entries, `loadSchemaDirectory`): every topic a loaded
   * interface declares `@persistent` is persisted too (needs `log`).
   */
  schemas?: SchemaRegistry;
  /** Connections held at once (default 16,384). */
  maxConnections?: number;
  /** Subscriptions per connection (default 10,000): TooManySubscriptions past it. */
  maxSubscriptionsPerConnection?: number;
  /** Subscriptions in all (default 1,000,000). */
  maxSubscriptions?: number;
  /** What happens to a subscriber that cannot keep up (default `drop-oldest`). */
  slowSubscriber?: SlowSubscriberPolicy;
  /**
   * Backpressure bound, ms (default 500). A subscriber whose queue is full holds the publishers
   * of the events it is behind on (the daemon stops reading them, so their sends wait) until it
   * has caught up, but for at most this long: then it counts as slow, the publishers go on, and
   * its events wait in its overflow queue under the `slowSubscriber` policy until it catches up.
   */
  slowSubscriberMs?: number;
  /** Frames a slow subscriber may have waiting beyond its channel's queue (default 10,000). */
  maxPendingFrames?: number;
  /** Bytes a slow subscriber may have waiting beyond its channel's queue (default 4 MiB). */
  maxPendingBytes?: number;
  /** Deadline of a routed call whose Request has no timeout, ms (default 120,000). */
  defaultCallTimeoutMs?: number;
  /** Problems that are not any client's fault (log failures, ...). Default: a process warning. */
  onError?: (error: IPCError) => void;
}

/** What {@link BusDaemon.publish} did with an event. */
export interface PublishResult {
  /** The daemon's event id. */
  readonly id: number;
  /** The log offset, -1 when not persisted. */
  readonly offset: number;
  /** Settles when the record is durable (persisted events only). */
  readonly durable: Promise<unknown> | undefined;
  /** Connections the event was queued for (matching pattern and filter). */
  readonly delivered: number;
}

/** Counters of `@bus.stats` and {@link BusDaemon.stats}. */
export interface BusStats {
  connections: number;
  subscriptions: number;
  names: number;
  eventsRouted: number;
  deliveries: number;
  eventsRejected: number;
  eventsPersisted: number;
  framesDropped: number;
  callsRouted: number;
  callsInFlight: number;
  logNextOffset: number | undefined;
}

const DEFAULTS = {
  maxConnections: 16_384,
  maxSubscriptionsPerConnection: 10_000,
  maxSubscriptions: 1_000_000,
  maxPendingFrames: 10_000,
  maxPendingBytes: 4 * 1024 * 1024,
  defaultCallTimeoutMs: 120_000,
  slowSubscriberMs: 500,
};

/** See the file comment. */
export class BusDaemon implements ControlHost {
  readonly routes = new RouteTable<DaemonConnection>();
  readonly names = new NameRegistry();
  readonly calls = new RoutedCalls();
  readonly conns = new Map<number, DaemonConnection>();
  readonly maxMessageSize: number;
  readonly limits: { maxSubscriptionsPerConnection: number; maxSubscriptions: number; defaultCallTimeoutMs: number };
  private nextConnId = 1;
  private nextSubId = 1;
  private lastEventId: number;
  private readonly sweeper: NodeJS.Timeout;
  private closing: Promise<void> | undefined;
  readonly counters = { eventsRouted: 0, deliveries: 0, eventsRejected: 0, eventsPersisted: 0, callsRouted: 0 };

  private constructor(
    private readonly listener: Listener,
    readonly log: EventLog | undefined,
    private readonly options: BusDaemonOptions,
    firstEventId: number,
  ) {
    this.maxMessageSize = options.maxMessageSize ?? 16 * 1024 * 1024;
    this.limits = {
      maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? DEFAULTS.maxSubscriptionsPerConnection,
      maxSubscriptions: options.maxSubscriptions ?? DEFAULTS.maxSubscriptions,
      defaultCallTimeoutMs: options.defaultCallTimeoutMs ?? DEFAULTS.defaultCallTimeoutMs,
    };
    this.lastEventId = firstEventId - 1;
    for (const pattern of options.persistTopics ?? []) this.routes.addPersistentPattern(pattern);
    listener.onConnection((channel) => this.accept(channel));
    this.sweeper = setInterval(() => this.expireCalls(), 1000);
    this.sweeper.unref();
  }

  /** Starts a daemon listening on `options.socket`. */
  static async start(options: BusDaemonOptions = {}): Promise<BusDaemon> {
    const persistent = [...(options.persistTopics ?? []), ...(options.schemas?.eventTopics().filter((t) => t.persistent).map((t) => t.topic) ?? [])];
    if (persistent.length > 0 && options.log === undefined) {
      throw new IPCError("InvalidArgument", `persistent topics (${persistent.join(", ")}) need an event log directory (log)`);
    }
    // Checked before anything is opened: the constructor must not throw with a live listener and log.
    for (const pattern of persistent) parsePattern(pattern);
    options = { ...options, persistTopics: persistent };
    const socket = options.socket ?? defaultBusSocket();
    if (options.socket === undefined) ensurePrivateDirectory(dirname(socket));
    let log: EventLog | undefined;
    let firstId = Date.now() * 1000;
    if (options.log !== undefined) {
      log = await EventLog.open(options.log, { ...options.logOptions, fsync: options.fsync ?? "group" });
      // Event ids stay unique across restarts: above the clock in µs and above every logged id.
      if (log.nextOffset > 0) {
        for await (const rec of log.replay({ fromOffset: log.nextOffset - 1 })) firstId = Math.max(firstId, Number(rec.event.messageId) + 1);
      }
    }
    let listener: Listener;
    try {
      // The largest outbound queue the transport allows: a subscriber that is briefly behind
      // (a GC pause) is then absorbed by the channel, not by the slower overflow queue.
      listener = await listen(socket, options.transport ?? "unix", { ...options, bufferSize: options.bufferSize ?? MAX_BUFFER_SIZE, maxConnections: options.maxConnections ?? DEFAULTS.maxConnections });
    } catch (error) {
      await log?.close();
      throw error;
    }
    return new BusDaemon(listener, log, options, firstId);
  }

  /** The socket path clients connect to. */
  get socket(): string {
    return this.listener.endpoint;
  }

  /** Current counters. */
  stats(): BusStats {
    let dropped = 0;
    for (const c of this.conns.values()) dropped += c.droppedTotal;
    return {
      connections: this.conns.size,
      subscriptions: this.routes.size,
      names: this.names.list().length,
      ...this.counters,
      framesDropped: dropped,
      callsInFlight: this.calls.size,
      logNextOffset: this.log?.nextOffset,
    };
  }

  /** Stops accepting, closes every connection and the log. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.sweeper);
      await this.listener.close(false).catch(() => undefined);
      await this.log?.close();
    })();
    return this.closing;
  }

  /** A fresh subscription id. */
  allocateSubscriptionId(): number {
    return this.nextSubId++;
  }

  private accept(channel: Channel): void {
    const id = this.nextConnId++;
    const conn = new DaemonConnection(
      id,
      channel,
      {
        maxFrames: this.options.maxPendingFrames ?? DEFAULTS.maxPendingFrames,
        maxBytes: this.options.maxPendingBytes ?? DEFAULTS.maxPendingBytes,
        policy: this.options.slowSubscriber ?? "drop-oldest",
        stallMs: this.options.slowSubscriberMs ?? DEFAULTS.slowSubscriberMs,
      },
      (c, dropped, total) => this.sendDaemonEvent(c, TOPIC_DROPPED, { dropped, total }),
    );
    this.conns.set(id, conn);
    channel.setHandler({
      onFrame: (b, p, total) => this.onFrame(conn, b, p, total),
      onMessage: (message) => this.onMessage(conn, message),
      onError: (error, _fatal, frame) => this.onUndecodable(conn, error, frame),
      onClose: () => this.onClose(conn),
    });
  }

  /** The raw path: events and routed requests and responses, forwarded without decoding values. */
  private onFrame(conn: DaemonConnection, b: Uint8Array, p: number, total: number): boolean {
    const type = b[p + Offset.messageType];
    // Compressed frames take the decoded path (decompressed off the event loop by the channel),
    // and so do frames whose fixed fields are malformed: the decoder reports those (onUndecodable).
    if ((b[p + Offset.flags] & Flag.compressionMask) !== 0 || !fixedFieldsOk(b, p, total, type)) return false;
    if (type === MessageType.Event) {
      this.publish(conn, b, p, total);
      return true;
    }
    if (type === MessageType.Response) {
      this.onResponse(b, p, total);
      return true;
    }
    if (type === MessageType.Request) {
      const [s, e] = requestMethodRange(b, p);
      // `@...` requests are the daemon's own: decoded and handled in onMessage.
      if (e > s && b[s] === 0x40) return false;
      routeRequest(this, conn, b, p, s, e);
      return true;
    }
    return type === MessageType.Heartbeat;
  }

  /** The decoded path: the daemon's own requests, and compressed frames. */
  private onMessage(conn: DaemonConnection, message: Message): void {
    if (message.type === "request") {
      if (message.body.method.startsWith("@")) {
        handleControl(this, conn, message);
        return;
      }
    }
    if (message.type === "heartbeat") return;
    // A compressed event, request or response: re-encoded uncompressed, then the raw path.
    let frame: Buffer;
    try {
      frame = encodeMessage({ ...message, compression: "none" }, { maxMessageSize: this.maxMessageSize });
    } catch (error) {
      if (message.type === "request") replyError(conn, message.messageId, message.format === "json" ? 1 : 0, error as IPCError, message.body.flags);
      return;
    }
    this.onFrame(conn, frame, 0, frame.length);
  }

  /**
   * Publishes the Event frame `b[p, p + total)` from `from` (undefined: the
   * daemon itself). Returns the event id and the log offset (-1 when not
   * persisted), or undefined when the event was refused (the publisher is told).
   */
  publish(from: DaemonConnection | undefined, b: Uint8Array, p: number, total: number, persist = false): PublishResult | undefined {
    const topic = from === undefined ? readTopic(b, p) : topicOf(from, b, p);
    const route = this.routes.route(topic);
    if (route.error !== undefined || (route.reserved && from !== undefined)) {
      if (from !== undefined) {
        const error = route.error ?? new IPCError("InvalidEventType", `topics under nova.bus. are the daemon's own; "${topic}" cannot be published`, { context: { eventType: topic } });
        this.reject(from, error, readIdField(b, p + Offset.messageId), topic);
      }
      return undefined;
    }
    const id = ++this.lastEventId;
    writeIdField(b, p + Offset.messageId, id);
    writeIdField(b, p + EVENT_SOURCE_OFFSET, from?.id ?? 0);
    let offset = -1;
    let durable: Promise<unknown> | undefined;
    if ((persist || route.persist) && this.log !== undefined) {
      offset = this.log.nextOffset;
      writeIdField(b, p + Offset.correlationId, offset + 1);
      resealFrame(b, p);
      durable = this.log.appendFrame(b.subarray(p, p + total));
      durable.catch((error: unknown) => this.fail(error));
      this.counters.eventsPersisted++;
    } else {
      // Not resealed here: each connection's queue seals it natively when it writes (deliver, sealed = false).
      writeIdField(b, p + Offset.correlationId, 0);
    }
    this.counters.eventsRouted++;
    const delivered = this.route(route, topic, b, p, total, offset >= 0, from);
    return { id, offset, durable, delivered };
  }

  /** Copies the frame to every connection with a matching subscription, once per connection. */
  /** Returns the number of connections the event was queued for. */
  private route(route: Route<DaemonConnection>, topic: string, b: Uint8Array, p: number, total: number, sealed: boolean, from: DaemonConnection | undefined): number {
    const subs = route.subs;
    if (subs.length === 0) return 0;
    let delivered = 0;
    let data: unknown;
    let decoded = !route.needsData;
    let last: DaemonConnection | undefined;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      if (sub.conn === last) continue;
      if (sub.filter !== undefined) {
        if (!decoded) {
          decoded = true;
          data = eventData(b, p, this.maxMessageSize);
        }
        // Undecodable data: let the subscriber's own decoder report it (it matches no filter).
        if (data === UNDECODABLE || !sub.filter(topic, data)) continue;
      }
      last = sub.conn;
      sub.conn.deliver(b, p, total, sealed, from);
      delivered++;
    }
    this.counters.deliveries += delivered;
    return delivered;
  }

  /** A Response from an owner: back to the caller, with the caller's id as correlation id. */
  private onResponse(b: Uint8Array, p: number, total: number): void {
    const id = readIdField(b, p + Offset.correlationId);
    const call = id < 0 ? undefined : this.calls.take(id);
    if (call === undefined || call.caller.closed) return; // the caller gave up or left; nobody waits
    writeU32(b, p + Offset.correlationId, call.callerIdLo);
    writeU32(b, p + Offset.correlationId + 4, call.callerIdHi);
    resealFrame(b, p);
    call.caller.deliver(b, p, total);
  }

  /** Sends an event made by the daemon to one connection only. */
  sendDaemonEvent(conn: DaemonConnection, topic: string, data: unknown): void {
    const frame = encodeMessage(daemonEvent(topic, data, ++this.lastEventId));
    conn.deliver(frame, 0, frame.length);
  }

  /** Publishes an event made by the daemon (owner changes) to every subscriber. */
  broadcastDaemonEvent(topic: string, data: unknown): void {
    const frame = encodeMessage(daemonEvent(topic, data, 0));
    this.publish(undefined, frame, 0, frame.length);
  }

  /** Tells everyone about owner changes. */
  announce(changes: readonly OwnerChange[]): void {
    for (const c of changes) {
      this.broadcastDaemonEvent(TOPIC_NAME_OWNER_CHANGED, {
        name: c.name,
        oldOwner: c.oldOwner === 0 ? "" : uniqueName(c.oldOwner),
        newOwner: c.newOwner === 0 ? "" : uniqueName(c.newOwner),
      });
    }
  }

  /** An event of `conn` was refused: it is told with a `nova.bus.rejected` event (events have no reply). */
  reject(conn: DaemonConnection, error: IPCError, messageId: number, what: string): void {
    this.counters.eventsRejected++;
    this.sendDaemonEvent(conn, TOPIC_REJECTED, { code: error.code, message: error.message, messageId: String(messageId), subject: what });
  }

  /** A forwarded call failed in the daemon (owner gone, timeout): the caller gets an error Response. */
  failCall(call: RoutedCall, error: IPCError): void {
    if (call.caller.closed) return;
    const id = BigInt(call.callerIdHi) * 0x1_0000_0000n + BigInt(call.callerIdLo);
    replyError(call.caller, id, call.format, error, 0);
  }

  private expireCalls(): void {
    for (const call of this.calls.expired(Date.now())) {
      this.failCall(call, new IPCError("TimeoutExpired", `${call.method}: no reply from the owner in time`, { context: { method: call.method } }));
    }
  }

  /** A frame whose CRC is intact but whose body is not: a Request is answered, an Event reported. */
  private onUndecodable(conn: DaemonConnection, error: IPCError, frame: SkippedFrame | undefined): void {
    if (frame === undefined || frame.messageId === 0n) return;
    if (frame.typeCode === MessageType.Request) replyError(conn, frame.messageId, frame.flags & Flag.formatMask, error, frame.requestFlags ?? 0);
    else if (frame.typeCode === MessageType.Event) this.reject(conn, error, Number(frame.messageId), "event");
  }

  private onClose(conn: DaemonConnection): void {
    if (!this.conns.delete(conn.id)) return;
    conn.releasePublishers();
    for (const sub of conn.subs.values()) this.routes.remove(sub);
    conn.subs.clear();
    for (const call of this.calls.involving(conn)) {
      if (call.target === conn) this.failCall(call, new IPCError("ChannelClosed", `${call.method}: the owner of the name disconnected`, { context: { method: call.method } }));
    }
    this.announce(this.names.disconnect(conn.id));
  }

  private fail(error: unknown): void {
    const e = error instanceof IPCError ? error : new IPCError("InsufficientResources", String(error), { cause: error });
    try {
      if (this.options.onError) this.options.onError(e);
      else process.emitWarning(`nova bus: ${e.message}`, "NovaBusWarning");
    } catch {
      // A logging hook must not break routing.
    }
  }
}

const UNDECODABLE = Symbol("undecodable");

/** The fixed fields the raw path reads are inside the frame (idl/WIRE.md §5). */
function fixedFieldsOk(b: Uint8Array, p: number, total: number, type: number): boolean {
  const payload = total - HEADER_SIZE;
  const body = p + HEADER_SIZE;
  if (type === MessageType.Event) return payload >= 12 && b[body + 9] === 0 && 12 + readU16(b, body + 10) <= payload;
  if (type === MessageType.Request) return payload >= 10 && 10 + readU16(b, body + 8) <= payload;
  if (type === MessageType.Response) return payload >= 8;
  return true;
}

function eventData(b: Uint8Array, p: number, max: number): unknown {
  try {
    return (decodeCheckedFrame(b, p, max) as EventMessage).body.data;
  } catch {
    return UNDECODABLE;
  }
}

function readTopic(b: Uint8Array, p: number): string {
  const [s, e] = eventTopicRange(b, p);
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString("latin1");
}

/** The topic of an event from `conn`, reusing the last one when the bytes repeat (the common case). */
function topicOf(conn: DaemonConnection, b: Uint8Array, p: number): string {
  const [s, e] = eventTopicRange(b, p);
  const last = conn.lastTopicBytes;
  const n = e - s;
  if (last.length === n) {
    let i = 0;
    while (i < n && last[i] === b[s + i]) i++;
    if (i === n) return conn.lastTopic;
  }
  // Topics are ASCII by grammar; any other byte makes the topic invalid either way. UTF-8 is
  // decoded properly so the InvalidEventType message shows what the publisher sent.
  const topic = Buffer.from(b.buffer, b.byteOffset + s, n).toString("utf8");
  conn.lastTopicBytes = b.slice(s, e);
  conn.lastTopic = topic;
  return topic;
}

function daemonEvent(topic: string, data: unknown, id: number): EventMessage {
  return { type: "event", messageId: BigInt(id), correlationId: 0n, timestampNs: nowNs(), body: { eventType: topic, data, sourceId: 0n, priority: 128 } };
}
