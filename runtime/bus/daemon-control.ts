/**
 * The daemon's own requests, `@bus.*` (idl/WIRE.md §12.3), and the one
 * `@nova.*` request it understands: `@nova.cancel` of a routed call.
 * Arguments are positional, as in every RPC Request; every failure is an
 * error Response with an IPCError code (a oneway request gets a
 * `nova.bus.rejected` event instead).
 */
import { IPCError } from "../errors.js";
import { compileEventFilter, type EventFilter, type EventPredicate } from "../events/filter.js";
import { parsePattern, parseTopic } from "../events/topic-pattern.js";
import type { EventLog } from "../events/log/event-log.js";
import { FLAG_ONEWAY, readRequestParams } from "../rpc/rpc-protocol.js";
import { encodeMessage } from "../wire/frame.js";
import type { EventMessage, RequestMessage } from "../wire/message.js";
import type { DaemonConnection } from "./daemon-conn.js";
import { replyError, replyValue } from "./daemon-replies.js";
import { uniqueName, parseUniqueName, type NameFlags, type NameRegistry, type OwnerChange } from "./names.js";
import { BUS_IFACE, BUS_PROTOCOL_VERSION, BUS_TOPIC_PREFIX } from "./protocol.js";
import type { RoutedCalls } from "./routed-calls.js";
import type { RouteTable } from "./routes.js";
import type { PublishResult } from "./daemon.js";

/** What the control handlers need from the daemon. */
export interface ControlHost {
  readonly routes: RouteTable<DaemonConnection>;
  readonly names: NameRegistry;
  readonly calls: RoutedCalls;
  readonly conns: ReadonlyMap<number, DaemonConnection>;
  readonly log: EventLog | undefined;
  readonly maxMessageSize: number;
  readonly limits: { readonly maxSubscriptionsPerConnection: number; readonly maxSubscriptions: number };
  allocateSubscriptionId(): number;
  publish(from: DaemonConnection | undefined, b: Uint8Array, p: number, total: number, persist?: boolean): PublishResult | undefined;
  announce(changes: readonly OwnerChange[]): void;
  reject(conn: DaemonConnection, error: IPCError, messageId: number, what: string): void;
  stats(): object;
}

const PRIORITY_BYTES: Readonly<Record<string, number>> = { high: 192, normal: 128, low: 64 };

/** Handles a decoded `@...` request of `conn`. Never throws. */
export function handleControl(host: ControlHost, conn: DaemonConnection, request: RequestMessage): void {
  const format = request.format === "json" ? 1 : 0;
  const flags = request.body.flags;
  const method = request.body.method;
  const fail = (error: unknown): void => {
    const e = error instanceof IPCError ? error : new IPCError("InvalidArgument", String(error), { cause: error });
    if ((flags & FLAG_ONEWAY) !== 0) host.reject(conn, e, Number(request.messageId), method);
    else replyError(conn, request.messageId, format, e, flags);
  };
  if (request.messageId === 0n) {
    void conn.channel.close(false).catch(() => undefined);
    return;
  }
  try {
    const { args } = readRequestParams(request);
    const dot = method.lastIndexOf(".");
    const iface = method.slice(0, dot);
    const member = method.slice(dot + 1);
    if (iface === "@nova" && member === "cancel") return cancel(host, conn, args);
    if (iface !== BUS_IFACE) throw new IPCError("MethodNotFound", `the bus serves no method ${JSON.stringify(method)}`, { context: { method } });
    const result = run(host, conn, member, args, request);
    if (result instanceof Promise) result.then((v) => replyValue(conn, request.messageId, format, v, flags), fail);
    else replyValue(conn, request.messageId, format, result, flags);
  } catch (error) {
    fail(error);
  }
}

function run(host: ControlHost, conn: DaemonConnection, member: string, args: readonly unknown[], request: RequestMessage): unknown {
  switch (member) {
    case "hello":
      return { id: conn.id, name: uniqueName(conn.id), protocol: BUS_PROTOCOL_VERSION, log: host.log !== undefined, maxMessageSize: host.maxMessageSize };
    case "subscribe":
      return subscribe(host, conn, args);
    case "unsubscribe": {
      const id = args[0];
      const sub = typeof id === "number" ? conn.subs.get(id) : undefined;
      if (sub === undefined) throw new IPCError("SubscriptionNotFound", `no subscription ${JSON.stringify(id)} on this connection`, { context: { subscriptionId: String(id) } });
      conn.subs.delete(sub.id);
      host.routes.remove(sub);
      return null;
    }
    case "emit":
      return emit(host, conn, args, request);
    case "requestName": {
      const { result, changes } = host.names.request(conn.id, args[0], nameFlags(args[1]));
      host.announce(changes);
      return result;
    }
    case "releaseName": {
      const { result, changes } = host.names.release(conn.id, args[0]);
      host.announce(changes);
      return result;
    }
    case "getNameOwner": {
      const name = args[0];
      const owner = typeof name !== "string" ? undefined : name.startsWith(":") ? parseUniqueName(name) : host.names.owner(name);
      if (owner === undefined || !host.conns.has(owner)) throw new IPCError("EndpointUnreachable", `no connection owns the bus name ${JSON.stringify(name)}`, { context: { name: String(name) } });
      return uniqueName(owner);
    }
    case "listNames":
      return [...host.names.list(), ...[...host.conns.keys()].map(uniqueName)];
    case "stats":
      return host.stats();
    default:
      throw new IPCError("MethodNotFound", `the bus serves no method ${BUS_IFACE}.${member}`, { context: { method: `${BUS_IFACE}.${member}` } });
  }
}

function nameFlags(value: unknown): NameFlags {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new IPCError("MessageValidationFailed", "name flags must be a map {allowReplacement?, replaceExisting?, doNotQueue?}");
  const v = value as Record<string, unknown>;
  return { allowReplacement: v.allowReplacement === true, replaceExisting: v.replaceExisting === true, doNotQueue: v.doNotQueue === true };
}

interface SubscribeOptions {
  fromOffset?: number;
  since?: bigint;
}

function subscribeOptions(value: unknown): SubscribeOptions {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new IPCError("MessageValidationFailed", "subscribe options must be a map {fromOffset?, since?}");
  const v = value as Record<string, unknown>;
  const out: SubscribeOptions = {};
  if (v.fromOffset !== undefined && v.fromOffset !== null) {
    if (typeof v.fromOffset !== "number" || !Number.isSafeInteger(v.fromOffset) || v.fromOffset < 0) throw new IPCError("InvalidArgument", "fromOffset must be a non-negative integer");
    out.fromOffset = v.fromOffset;
  }
  if (v.since !== undefined && v.since !== null) out.since = parseSince(v.since);
  return out;
}

/** `since`: an ISO-8601 date-time string, or nanoseconds since the epoch as a decimal string. */
export function parseSince(value: unknown): bigint {
  if (typeof value === "string" && /^[0-9]{1,20}$/.test(value)) return BigInt(value);
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new IPCError("InvalidArgument", `since must be an ISO-8601 date-time or nanoseconds as a decimal string, not ${JSON.stringify(value)}`);
  return BigInt(ms) * 1_000_000n;
}

function subscribe(host: ControlHost, conn: DaemonConnection, args: readonly unknown[]): { subscription: number } | Promise<{ subscription: number }> {
  const pattern = args[0];
  const segments = parsePattern(pattern);
  const filterSpec = args[1] === null || args[1] === undefined ? undefined : (args[1] as EventFilter);
  const filter: EventPredicate | undefined = filterSpec === undefined ? undefined : compileEventFilter(filterSpec);
  const options = subscribeOptions(args[2]);
  const replay = options.fromOffset !== undefined || options.since !== undefined;
  if (replay && host.log === undefined) throw new IPCError("InvalidArgument", "this bus has no event log: fromOffset/since cannot be served");
  if (conn.subs.size >= host.limits.maxSubscriptionsPerConnection) {
    throw new IPCError("TooManySubscriptions", `subscription limit of ${host.limits.maxSubscriptionsPerConnection} per connection reached`, { context: { limit: host.limits.maxSubscriptionsPerConnection } });
  }
  if (host.routes.size >= host.limits.maxSubscriptions) {
    throw new IPCError("TooManySubscriptions", `the bus holds its limit of ${host.limits.maxSubscriptions} subscriptions`, { context: { limit: host.limits.maxSubscriptions } });
  }
  const sub = { id: host.allocateSubscriptionId(), conn, connId: conn.id, pattern: pattern as string, segments, filter, filterSpec };
  conn.subs.set(sub.id, sub);
  host.routes.add(sub);
  if (!replay) return { subscription: sub.id };
  // Live events wait behind the replay; the records before `end` come from the log.
  const log = host.log!;
  const end = log.nextOffset;
  conn.hold();
  const reply = { subscription: sub.id };
  void replayInto(host, log, conn, sub.pattern, filter, options, end).finally(() => conn.release());
  return reply;
}

async function replayInto(host: ControlHost, log: EventLog, conn: DaemonConnection, pattern: string, filter: EventPredicate | undefined, options: SubscribeOptions, end: number): Promise<void> {
  try {
    await log.flush();
    for await (const rec of log.replay({ fromOffset: options.fromOffset, since: options.since, topic: pattern })) {
      if (rec.offset >= end || conn.closed) break;
      const ev = rec.event;
      if (filter !== undefined && !filter(ev.body.eventType, ev.body.data)) continue;
      const frame = encodeMessage({ ...ev, correlationId: BigInt(rec.offset + 1) }, { maxMessageSize: host.maxMessageSize });
      await conn.sendWaiting(frame);
    }
  } catch (error) {
    if (!conn.closed) host.reject(conn, error instanceof IPCError ? error : new IPCError("InsufficientResources", `replay failed: ${String(error)}`, { cause: error }), 0, "replay");
  }
}

function emit(host: ControlHost, conn: DaemonConnection, args: readonly unknown[], request: RequestMessage): unknown {
  const topic = args[0];
  parseTopic(topic);
  if ((topic as string).startsWith(BUS_TOPIC_PREFIX)) throw new IPCError("InvalidEventType", `topics under ${BUS_TOPIC_PREFIX} are the daemon's own`, { context: { eventType: topic as string } });
  const opts = (args[2] ?? {}) as { persist?: unknown; priority?: unknown };
  if (typeof opts !== "object" || Array.isArray(opts)) throw new IPCError("MessageValidationFailed", "emit options must be a map {persist?, priority?}");
  const persist = opts.persist === true;
  if (persist && host.log === undefined) throw new IPCError("InvalidArgument", `cannot persist "${String(topic)}": this bus has no event log`);
  let priority = 128;
  if (typeof opts.priority === "string") {
    const p = PRIORITY_BYTES[opts.priority];
    if (p === undefined) throw new IPCError("InvalidArgument", `unknown event priority ${JSON.stringify(opts.priority)}`);
    priority = p;
  } else if (typeof opts.priority === "number" && Number.isInteger(opts.priority) && opts.priority >= 0 && opts.priority <= 255) {
    priority = opts.priority;
  } else if (opts.priority !== undefined) {
    throw new IPCError("InvalidArgument", "priority must be high, normal, low or 0..255");
  }
  const message: EventMessage = {
    type: "event",
    messageId: 1n,
    correlationId: 0n,
    timestampNs: request.timestampNs,
    format: request.format,
    body: { eventType: topic as string, data: args[1] ?? null, sourceId: 0n, priority },
  };
  const frame = encodeMessage(message, { maxMessageSize: host.maxMessageSize });
  const done = host.publish(conn, frame, 0, frame.length, persist);
  if (done === undefined) throw new IPCError("InvalidEventType", `event "${String(topic)}" was refused`);
  // The spec's aggregated delivery status (6.2.1 broadcast): how many connections it was routed to.
  const receipt = done.offset >= 0 ? { id: done.id, offset: done.offset, delivered: done.delivered } : { id: done.id, delivered: done.delivered };
  return done.durable === undefined ? receipt : done.durable.then(() => receipt);
}

function cancel(host: ControlHost, conn: DaemonConnection, args: readonly unknown[]): void {
  const idText = args[0];
  if (typeof idText !== "string") return;
  const daemonId = conn.outCalls.get(idText);
  if (daemonId === undefined) return;
  const call = host.calls.take(daemonId);
  if (call === undefined || call.target.closed) return;
  // The owner learns it like any RPC server: a oneway @nova.cancel with the id it saw.
  const frame = encodeMessage({
    type: "request",
    messageId: BigInt(host.calls.allocate()),
    correlationId: 0n,
    timestampNs: 0n,
    body: { method: "@nova.cancel", params: [String(daemonId)], timeoutMs: 0, flags: FLAG_ONEWAY },
  });
  call.target.deliver(frame, 0, frame.length);
}
