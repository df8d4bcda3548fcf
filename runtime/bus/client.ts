/**
 * A connection to the `nova bus` daemon (runtime/bus/README.md): publish and
 * subscribe to events across processes, own bus names, call the services of
 * other connections by name and serve your own. Implements {@link EventPort},
 * so generated typed event code runs on it unchanged.
 *
 * Events arrive from the daemon already matched against this connection's
 * subscriptions (patterns and filters are evaluated in the daemon); the client
 * dispatches each to its handlers through a private in-process EventBus, so
 * handler priorities, isolation, timeouts and retries work exactly as in one
 * process.
 */
import { IPCError } from "../errors.js";
import { createEventBus, type EventBusOptions, type RegisterHandlerOptions, type UnregisterOptions } from "../events/event-bus.js";
import { priorityOfByte, wirePriority, type EventPort, type EventReceipt, type PortEmitOptions, type PortListenOptions, type Unlisten } from "../events/event-port.js";
import { filterTopicPattern, validateEventFilter, type EventFilter } from "../events/filter.js";
import { parseTopic } from "../events/topic-pattern.js";
import type { EventHandler, EventOrigin, EventPriority, HandlerId } from "../events/types.js";
import { decodeMsgpack } from "../codec/msgpack-decoder.js";
import { readName, readU16, readU32 } from "../wire/bytes.js";
import { HEADER_SIZE, Offset, VERSION_MAJOR, VERSION_MINOR } from "../wire/constants.js";
import { encodeMsgpackInto } from "../codec/msgpack-encoder.js";
import { RpcClient } from "../rpc/rpc-client.js";
import { RpcServer, type RpcServerOptions } from "../rpc/rpc-server.js";
import type { CallOptions, RpcClientPort, RpcServerPort } from "../rpc/contract.js";
import { createChannel } from "../transport/create-channel.js";
import type { Channel, ChannelOptions } from "../transport/types.js";
import type { EventMessage, Message } from "../wire/message.js";
import { nextMessageId, nowNs } from "../wire/message-id.js";
import { MessageType } from "../wire/message.js";
import { ChannelView } from "./channel-view.js";
import type { NameFlags, ReleaseNameResult, RequestNameResult } from "./names.js";
import { BUS_IFACE, BUS_TOPIC_PREFIX, defaultBusSocket, readIdField, ROUTE_SEPARATOR, TOPIC_DROPPED, TOPIC_REJECTED } from "./protocol.js";
import type { BusStats } from "./daemon.js";

/** Options of {@link connectBus}. */
export interface BusClientOptions extends ChannelOptions {
  /** The daemon's transport: `unix` (default) or `pipe`. */
  transport?: "unix" | "pipe";
  /** Timeout of calls to the daemon and of routed calls, ms (default 5,000). */
  callTimeoutMs?: number;
  /**
   * Problems reported by the daemon or met while receiving: an event of ours it refused
   * (`nova.bus.rejected`, with the refusal's code), events it dropped because we read too
   * slowly (`EventQueueFull`), an event whose value could not be decoded. Default: a process warning.
   */
  onError?: (error: IPCError) => void;
  /** Options of the local dispatch bus: handler timeouts, retries, limits, `onHandlerError`. */
  dispatch?: EventBusOptions;
  /** Options of the RPC server created by {@link BusClient.server}. */
  server?: RpcServerOptions;
}

/** Options of {@link BusClient.registerEventHandler}. */
export interface BusHandlerOptions extends RegisterHandlerOptions {
  /**
   * Replay persisted events from this log offset (or from this time: ISO-8601 or a Date)
   * before the live ones. A replaying handler must be the only one of its connection.
   */
  fromOffset?: number;
  since?: string | Date;
}

/** {@link EventOrigin} read from a frame: the timestamp becomes a bigint only when asked for. */
class FrameOrigin implements EventOrigin {
  constructor(
    readonly id: number,
    readonly source: number,
    readonly offset: number | undefined,
    private readonly tsLo: number,
    private readonly tsHi: number,
  ) {}
  get timestampNs(): bigint {
    return (BigInt(this.tsHi) << 32n) | BigInt(this.tsLo);
  }
}

/** An Event message of this process, for the general (encode-on-send) publish path. */
function eventMessage(topic: string, data: unknown, priority: EventPriority): EventMessage {
  return {
    type: "event",
    messageId: nextMessageId(),
    correlationId: 0n,
    timestampNs: nowNs(),
    body: { eventType: topic, data: data ?? null, sourceId: 0n, priority: wirePriority(priority) },
  };
}

/** Events whose frame fits this take {@link BusClient.tryPublish}'s in-place path (larger ones are encoded on their own). */
const PUBLISH_FRAME_BYTES = 64 * 1024;

/** Oneway-style publishes that may wait for room in the background before `publish` throws. */
const MAX_PUBLISH_BACKLOG = 10_000;

/** Connects to the bus daemon at `socket` (default: `$NOVA_BUS_SOCKET`, else `$XDG_RUNTIME_DIR/nova/bus.sock`). */
export async function connectBus(socket: string = defaultBusSocket(), options: BusClientOptions = {}): Promise<BusClient> {
  const channel = await createChannel(socket, options.transport ?? "unix", undefined, options);
  const client = new BusClient(channel, options);
  try {
    await client.hello();
  } catch (error) {
    await channel.close(false).catch(() => undefined);
    throw error;
  }
  return client;
}

/** See the file comment. */
export class BusClient implements EventPort {
  /** This connection's id on the bus (its unique name is `:id`). */
  id = 0;
  private readonly rpc: RpcClient;
  private readonly calls: ChannelView;
  private readonly served: ChannelView;
  private rpcServer: RpcServer | undefined;
  private readonly local;
  private readonly remoteIds = new Map<HandlerId, number>();
  private replaying = false;
  private lastInTopicBytes: Uint8Array = new Uint8Array(0);
  /** The reusable frame of {@link tryPublish}: header and Event fixed fields, then topic and value. */
  private readonly pubFrame = new Uint8Array(PUBLISH_FRAME_BYTES);
  private readonly pubView = new DataView(this.pubFrame.buffer);
  private pubValueAt = 0;
  /** The topic whose bytes are in {@link pubFrame}. */
  private pubTopic = "";
  private lastInTopic = "";
  /** The last publisher seen and its unique name, so a run of events from one publisher makes no string each. */
  private lastSource = -1;
  private lastPublisher = "";
  private backlog = 0;
  private readonly callTimeoutMs: number;
  private readonly onError: (error: IPCError) => void;

  constructor(
    readonly channel: Channel,
    private readonly options: BusClientOptions = {},
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 5000;
    this.onError = options.onError ?? ((e) => process.emitWarning(`nova bus: ${e.message}`, "NovaBusWarning"));
    this.local = createEventBus(options.dispatch);
    this.pubFrame.set([0x4e, 0x4f, 0x56, 0x41, VERSION_MAJOR, VERSION_MINOR, MessageType.Event, 0]);
    this.calls = new ChannelView(channel);
    this.served = new ChannelView(channel);
    this.rpc = new RpcClient(this.calls, { timeoutMs: this.callTimeoutMs });
    channel.setHandler({
      onFrame: (b, p) => this.onEventFrame(b, p),
      onMessage: (m) => this.onMessage(m),
      onError: (error, fatal, frame) => {
        if (frame?.typeCode === MessageType.Response) this.calls.handler?.onError?.(error, fatal, frame);
        else if (frame?.typeCode === MessageType.Request) this.served.handler?.onError?.(error, fatal, frame);
        else this.report(error);
      },
      onClose: (reason) => {
        this.calls.handler?.onClose?.(reason);
        this.served.handler?.onClose?.(reason);
      },
    });
  }

  /** This connection's unique bus name, `:id`. */
  get uniqueName(): string {
    return `:${this.id}`;
  }

  /** True once the connection closed. */
  get closed(): boolean {
    return this.channel.closed;
  }

  /** `@bus.hello`: learns this connection's id. Called by {@link connectBus}. */
  async hello(): Promise<{ id: number; name: string; protocol: number; log: boolean }> {
    const info = (await this.control("hello", [])) as { id: number; name: string; protocol: number; log: boolean };
    this.id = info.id;
    return info;
  }

  // ---- events --------------------------------------------------------------

  /**
   * Publishes an event without waiting for the daemon (the fast path): false,
   * and nothing sent, when the outbound queue is full (await {@link writable}).
   * InvalidEventType for a bad topic.
   */
  tryPublish(topic: string, data?: unknown, priority: EventPriority = "normal"): boolean {
    const b = this.pubFrame;
    if (topic !== this.pubTopic) {
      this.checkTopic(topic);
      this.pubTopic = topic;
      const bytes = Buffer.from(topic, "utf8");
      b[HEADER_SIZE + 10] = bytes.length & 0xff;
      b[HEADER_SIZE + 11] = bytes.length >>> 8;
      b.set(bytes, HEADER_SIZE + 12);
      this.pubValueAt = HEADER_SIZE + 12 + bytes.length;
    }
    // The frame is built in place: the topic bytes stay from the last publish, the constant
    // header bytes from the constructor; the outbound queue seals the CRC when it writes.
    const end = encodeMsgpackInto(data ?? null, b, this.pubValueAt);
    if (end < 0) return this.tryPublishLarge(topic, data, priority);
    const dv = this.pubView;
    dv.setBigUint64(Offset.messageId, nextMessageId(), true);
    dv.setBigUint64(Offset.timestampNs, nowNs(), true);
    dv.setUint32(Offset.payloadLength, end - HEADER_SIZE, true);
    b[HEADER_SIZE + 8] = priority === "normal" ? 128 : wirePriority(priority);
    return this.channel.trySendFrames(b, 0, end, false);
  }

  /** An event whose value does not fit the reusable frame buffer: encoded on its own. */
  private tryPublishLarge(topic: string, data: unknown, priority: EventPriority): boolean {
    return this.channel.trySend(eventMessage(topic, data, priority));
  }

  /**
   * Publishes an event without waiting for the daemon. When the outbound queue is full it
   * waits for room in the background, up to 10,000 events; past that it throws EventQueueFull.
   */
  publish(topic: string, data?: unknown, priority: EventPriority = "normal"): void {
    if (this.tryPublish(topic, data, priority)) return;
    if (this.backlog >= MAX_PUBLISH_BACKLOG) {
      throw new IPCError("EventQueueFull", `outbound queue full: ${this.backlog} events already wait for room`, { context: { backlog: this.backlog } });
    }
    this.backlog++;
    const message = eventMessage(topic, data, priority);
    this.channel
      .send(message, { timeoutMs: Infinity })
      .catch((e: unknown) => this.report(e instanceof IPCError ? e : new IPCError("ChannelClosed", String(e))))
      .finally(() => this.backlog--);
  }

  /** Resolves when the outbound queue has room again. */
  writable(): Promise<void> {
    return this.channel.writable();
  }

  /**
   * Emits one event and waits for the daemon's acknowledgement: its event id and, with
   * `persist` (or a topic the daemon persists), the log offset, once the record is durable.
   */
  async emit(topic: string, data?: unknown, options: PortEmitOptions = {}): Promise<EventReceipt> {
    this.checkTopic(topic);
    return (await this.control("emit", [topic, data ?? null, { persist: options.persist === true, priority: options.priority ?? "normal" }])) as EventReceipt;
  }

  /** {@link EventPort.emitEvent}: {@link emit}. */
  emitEvent(topic: string, data: unknown, options?: PortEmitOptions): Promise<EventReceipt> {
    return this.emit(topic, data, options);
  }

  /**
   * Spec `register_event_handler` across processes: resolves with the handler's id once the
   * daemon routes matching events to this connection. Errors as the in-process bus
   * (InvalidEventType, InvalidFilter, TooManyHandlers, ...) and TooManySubscriptions from the daemon.
   */
  async registerEventHandler<T = unknown>(pattern: string, handler: EventHandler<T>, options: BusHandlerOptions = {}): Promise<HandlerId> {
    const replay = options.fromOffset !== undefined || options.since !== undefined;
    if (replay && this.remoteIds.size > 0) throw new IPCError("InvalidArgument", "a replaying handler needs a connection of its own (this one has handlers)");
    if (this.replaying) throw new IPCError("InvalidArgument", "this connection replays the log for its handler: connect another BusClient");
    const { fromOffset, since, ...local } = options;
    const id = this.local.registerEventHandler(pattern, handler, local);
    const remote: Record<string, unknown> = {};
    if (fromOffset !== undefined) remote.fromOffset = fromOffset;
    if (since !== undefined) remote.since = since instanceof Date ? since.toISOString() : since;
    if (replay) this.replaying = true;
    try {
      const r = (await this.control("subscribe", [pattern, options.filter ?? null, remote])) as { subscription: number };
      this.remoteIds.set(id, r.subscription);
    } catch (error) {
      this.local.unregisterEventHandler(id, { force: true });
      if (replay) this.replaying = false;
      throw error;
    }
    return id;
  }

  /** Spec `unregister_event_handler`: HandlerNotFound, HandlerStillActive (unless `force`). */
  async unregisterEventHandler(id: HandlerId, options: UnregisterOptions = {}): Promise<void> {
    this.local.unregisterEventHandler(id, options);
    const remote = this.remoteIds.get(id);
    this.remoteIds.delete(id);
    if (remote !== undefined && !this.channel.closed) await this.control("unsubscribe", [remote]);
  }

  /** Spec `subscribe_to_events`: `callback` gets every event passing `filter` (its top-level `topic` is the pattern). */
  async subscribe<T = unknown>(filter: EventFilter, callback: EventHandler<T>, options: Omit<BusHandlerOptions, "filter"> = {}): Promise<HandlerId> {
    validateEventFilter(filter);
    return this.registerEventHandler(filterTopicPattern(filter), callback, { ...options, filter });
  }

  /** Spec `unsubscribe_from_events`. */
  unsubscribe(id: HandlerId): Promise<void> {
    return this.unregisterEventHandler(id, { force: true }).catch((error: unknown) => {
      if (error instanceof IPCError && error.code === "HandlerNotFound") throw new IPCError("SubscriptionNotFound", `no subscription with id ${id}`, { context: { subscriptionId: id } });
      throw error;
    });
  }

  /** {@link EventPort.onEvent}. */
  async onEvent<T = unknown>(pattern: string, handler: EventHandler<T>, options: PortListenOptions = {}): Promise<Unlisten> {
    const id = await this.registerEventHandler(pattern, handler, options);
    return () => this.unregisterEventHandler(id, { force: true });
  }

  /** Resolves once every event received so far has been handled (handler promises included). */
  idle(): Promise<void> {
    return this.local.idle();
  }

  // ---- names and calls -----------------------------------------------------

  /** D-Bus-style RequestName: `primary`, `queued`, `exists` or `already-owner`. InvalidEndpointName for a bad name. */
  async requestName(name: string, flags: NameFlags = {}): Promise<RequestNameResult> {
    return (await this.control("requestName", [name, flags])) as RequestNameResult;
  }

  /** D-Bus-style ReleaseName: `released`, `non-existent` or `not-owner`. */
  async releaseName(name: string): Promise<ReleaseNameResult> {
    return (await this.control("releaseName", [name])) as ReleaseNameResult;
  }

  /** The unique name (`:N`) of the owner of `name`; EndpointUnreachable when it has none. */
  async getNameOwner(name: string): Promise<string> {
    return (await this.control("getNameOwner", [name])) as string;
  }

  /** Every owned well-known name, then every connection's unique name. */
  async listNames(): Promise<string[]> {
    return (await this.control("listNames", [])) as string[];
  }

  /** The daemon's counters. */
  async stats(): Promise<BusStats> {
    return (await this.control("stats", [])) as BusStats;
  }

  /**
   * The RPC server of this connection: register generated service skeletons on it and
   * {@link requestName} a name; calls addressed to that name (or to this connection's unique
   * name) are routed here. Signals it emits are published as events with topic `iface.member`.
   */
  get server(): RpcServerPort {
    if (this.rpcServer === undefined) {
      this.rpcServer = new RpcServer(this.options.server);
      this.rpcServer.attach(this.served);
    }
    return this.rpcServer;
  }

  /**
   * A port for generated clients that calls the services of `destination` (a well-known name
   * or a unique name `:N`) through the daemon. Calls fail with EndpointUnreachable when the
   * name has no owner, ChannelClosed when the owner leaves mid-call.
   */
  proxy(destination: string): RpcClientPort {
    const route = (iface: string): string => destination + ROUTE_SEPARATOR + iface;
    return {
      call: (iface: string, member: string, args: readonly unknown[], options?: CallOptions) => this.rpc.call(route(iface), member, args, options),
      callOneway: (iface: string, member: string, args: readonly unknown[]) => this.rpc.callOneway(route(iface), member, args),
      subscribe: (iface: string, member: string, listener: (args: readonly unknown[]) => void) => {
        const topic = `${iface}.${member}`;
        let id: HandlerId | undefined;
        let gone = false;
        void this.registerEventHandler(topic, (ev) => listener(Array.isArray(ev.data) ? ev.data : [ev.data])).then(
          (h) => {
            id = h;
            if (gone) void this.unregisterEventHandler(h, { force: true }).catch(() => undefined);
            // The owner starts emitting the signal to the bus (it is routed like any event from then on).
            else this.rpc.callOneway(route("@nova"), "subscribe", [iface, member]);
          },
          (error: unknown) => this.report(error instanceof IPCError ? error : new IPCError("InvalidEventType", String(error))),
        );
        return () => {
          gone = true;
          if (id !== undefined) void this.unregisterEventHandler(id, { force: true }).catch(() => undefined);
        };
      },
    };
  }

  /** Closes the connection (graceful by default: queued events are flushed first). */
  async close(graceful = true): Promise<void> {
    if (this.channel.closed) return;
    await this.channel.close(graceful);
  }

  // ---- internals -----------------------------------------------------------

  private control(member: string, args: readonly unknown[]): Promise<unknown> {
    return this.rpc.call(BUS_IFACE, member, args);
  }

  private checkTopic(topic: string): void {
    parseTopic(topic);
    if (topic.startsWith(BUS_TOPIC_PREFIX)) throw new IPCError("InvalidEventType", `topics under ${BUS_TOPIC_PREFIX} are the daemon's own`, { context: { eventType: topic } });
  }

  private onMessage(message: Message): void {
    switch (message.type) {
      case "event":
        return this.onEvent_(message);
      case "response":
        return this.calls.handler?.onMessage(message);
      case "request":
        if (this.served.handler !== undefined) return this.served.handler.onMessage(message);
        // Nobody serves here: answer rather than leave the caller waiting.
        void this.server; // attaching an empty server answers MethodNotFound
        return this.served.handler!.onMessage(message);
      default:
        return;
    }
  }

  private onEvent_(message: EventMessage): void {
    const body = message.body;
    const topic = body.eventType;
    if (topic === TOPIC_REJECTED || topic === TOPIC_DROPPED) this.reportDaemonEvent(topic, body.data);
    const offset = message.correlationId === 0n ? undefined : Number(message.correlationId) - 1;
    this.local.emit(topic, body.data, {
      mode: "sync",
      priority: priorityOfByte(body.priority),
      publisher: `:${body.sourceId}`,
      origin: { id: Number(message.messageId), source: Number(body.sourceId), timestampNs: message.timestampNs, offset },
    });
  }

  /**
   * The receive fast path: an uncompressed msgpack Event is dispatched straight from the
   * frame's bytes, without the general decoder's message object and its four bigint ids
   * (the daemon's ids fit in 53 bits; the timestamp is read only if a handler asks for it).
   * Anything else, or anything odd, takes the general path (false), which reports errors.
   */
  private onEventFrame(b: Uint8Array, p: number): boolean {
    if (b[p + Offset.messageType] !== MessageType.Event || b[p + Offset.flags] !== 0) return false;
    const start = p + HEADER_SIZE;
    const end = start + readU32(b, p + Offset.payloadLength);
    if (end - start < 12 || b[start + 9] !== 0) return false;
    const nameStart = start + 12;
    const nameEnd = nameStart + readU16(b, start + 10);
    const id = readIdField(b, p + Offset.messageId);
    const source = readIdField(b, start);
    const correlation = readIdField(b, p + Offset.correlationId);
    if (nameEnd > end || id < 0 || source < 0 || correlation < 0) return false;
    let topic: string;
    let data: unknown;
    try {
      topic = this.topicAt(b, nameStart, nameEnd);
      data = decodeMsgpack(b, nameEnd, end);
    } catch {
      return false;
    }
    if (topic === TOPIC_REJECTED || topic === TOPIC_DROPPED) this.reportDaemonEvent(topic, data);
    if (source !== this.lastSource) {
      this.lastSource = source;
      this.lastPublisher = `:${source}`;
    }
    this.local.emit(topic, data, {
      mode: "sync",
      priority: priorityOfByte(b[start + 8]!),
      publisher: this.lastPublisher,
      origin: new FrameOrigin(id, source, correlation === 0 ? undefined : correlation - 1, readU32(b, p + Offset.timestampNs), readU32(b, p + Offset.timestampNs + 4)),
    });
    return true;
  }

  /** The topic at `b[s, e)`, reusing the previous one when the bytes repeat (the common case). */
  private topicAt(b: Uint8Array, s: number, e: number): string {
    const last = this.lastInTopicBytes;
    const n = e - s;
    if (last.length === n) {
      let i = 0;
      while (i < n && last[i] === b[s + i]) i++;
      if (i === n) return this.lastInTopic;
    }
    const topic = readName(b, s, e, "body.eventType");
    this.lastInTopicBytes = b.slice(s, e);
    this.lastInTopic = topic;
    return topic;
  }

  private reportDaemonEvent(topic: string, data: unknown): void {
    const d = (data ?? {}) as Record<string, unknown>;
    if (topic === TOPIC_DROPPED) {
      this.report(new IPCError("EventQueueFull", `the bus dropped ${String(d.dropped)} event(s) for this connection (${String(d.total)} in all): it read too slowly`, { context: { dropped: Number(d.dropped), total: Number(d.total) } }));
    } else {
      const code = typeof d.code === "string" ? d.code : "InvalidArgument";
      this.report(new IPCError(code as IPCError["code"], `the bus refused ${String(d.subject)}: ${String(d.message)}`, { context: { messageId: String(d.messageId) } }));
    }
  }

  private report(error: IPCError): void {
    try {
      this.onError(error);
    } catch {
      // A reporting hook must not break receiving.
    }
  }
}
