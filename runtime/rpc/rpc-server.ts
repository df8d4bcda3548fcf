/**
 * The server side of RPC: implements the {@link RpcServerPort} that generated
 * server skeletons register with, and serves every channel of a
 * {@link Listener} (or channels attached one by one).
 *
 * A handler that returns a plain value is answered in the same turn; one
 * that returns a Promise is answered when it settles. The handler's
 * `context.signal` aborts when the caller cancels, the call's timeout passes,
 * or the caller disconnects; it is created lazily, so handlers that never
 * look at it cost no timer.
 */
import { IPCError } from "../errors.js";
import type { Message, PayloadFormat, RequestMessage } from "../wire/message.js";
import type { Channel, Listener } from "../transport/types.js";
import type { CallContext, Registration, RpcServerPort, ServiceDefinition } from "./contract.js";
import { closesCycle, NODE_ID, runInChain } from "./call-chain.js";
import {
  buildErrorResponse,
  buildEvent,
  buildResponse,
  CANCEL,
  CONTROL_IFACE,
  FLAG_ONEWAY,
  methodName,
  readRequestParams,
  splitMethod,
  SUBSCRIBE,
  toErrorDetails,
  UNSUBSCRIBE,
} from "./rpc-protocol.js";
import { nextMessageId } from "./message-ids.js";
import { IdTable } from "./id-table.js";

/** Options of an {@link RpcServer}. */
export interface RpcServerOptions {
  /** This server's node id for cycle detection (default: the process's). */
  nodeId?: number;
  /** Refuse call cycles with DeadlockDetected (default true). */
  detectCycles?: boolean;
}

/** One call in progress: the handler's CallContext, and what cancellation needs. */
class ServerCall implements CallContext {
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private abortedWith: IPCError | undefined;
  /** True while the call is in its connection's `inFlight` table (it outlived its turn). */
  tracked = false;

  constructor(
    readonly conn: Connection,
    readonly request: RequestMessage,
    readonly started: number,
    readonly iface: string,
    readonly member: string,
  ) {}

  /** The caller's credentials, where the transport knows them (unix listener with the addon: SO_PEERCRED). */
  get peer(): CallContext["peer"] {
    return this.conn.channel.peer;
  }

  /** True once the caller gave up; its reply would go nowhere. */
  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      const timeoutMs = this.request.body.timeoutMs;
      if (this.abortedWith) this.controller.abort(this.abortedWith);
      else if (timeoutMs > 0) {
        // A little after the caller's own deadline, so the caller always sees its TimeoutExpired first.
        const delay = timeoutMs + Math.min(1000, 20 + timeoutMs / 10);
        this.timer = setTimeout(() => this.abort(new IPCError("TimeoutExpired", "the caller's timeout passed")), delay);
        this.timer.unref();
      }
    }
    return this.controller.signal;
  }

  abort(reason: IPCError): void {
    if (this.abortedWith) return;
    this.abortedWith = reason;
    this.done();
    this.controller?.abort(reason);
  }

  done(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Per-connection state. */
interface Connection {
  channel: Channel;
  /** Subscribed signals, each with the format of its `@nova.subscribe` (events are sent in it). */
  subscriptions: Map<string, PayloadFormat>;
  inFlight: IdTable<ServerCall>;
  /** Messages waiting for room in a full outbound queue. */
  backlog: number;
}

/** Replies and signals that may wait for a full queue per connection (spec 6.1.1 queue size). */
const MAX_BACKLOG = 10_000;

/** Serves registered interfaces over channels; see the file comment. */
export class RpcServer implements RpcServerPort {
  private readonly services = new Map<string, ServiceDefinition>();
  private readonly connections = new Set<Connection>();
  private readonly nodeId: number;
  private readonly detectCycles: boolean;

  constructor(options: RpcServerOptions = {}) {
    this.nodeId = options.nodeId ?? NODE_ID;
    this.detectCycles = options.detectCycles ?? true;
  }

  /** Serves every current and future connection of `listener`. */
  serve(listener: Listener): this {
    listener.onConnection((channel) => this.attach(channel));
    return this;
  }

  /** Serves one channel until it closes. */
  attach(channel: Channel): void {
    const conn: Connection = { channel, subscriptions: new Map(), inFlight: new IdTable<ServerCall>(), backlog: 0 };
    this.connections.add(conn);
    channel.setHandler({
      onMessage: (message: Message) => {
        if (message.type === "request") this.onRequest(conn, message);
      },
      onClose: () => {
        this.connections.delete(conn);
        const gone = new IPCError("ChannelClosed", "the caller disconnected");
        for (const call of conn.inFlight.values()) call.abort(gone);
        conn.inFlight.clear();
      },
    });
  }

  /** See {@link RpcServerPort.register}. */
  register(service: ServiceDefinition): Registration {
    if (this.services.has(service.iface)) {
      throw new IPCError("HandlerAlreadyRegistered", `interface ${service.iface} is already served`, { context: { iface: service.iface } });
    }
    this.services.set(service.iface, service);
    return { unregister: () => void (this.services.get(service.iface) === service && this.services.delete(service.iface)) };
  }

  /**
   * See {@link RpcServerPort.emit}: sent only to connections that subscribed
   * to the signal, each in the format its subscribe request used.
   */
  emit(iface: string, member: string, args: readonly unknown[]): void {
    const key = methodName(iface, member);
    let msgpack: ReturnType<typeof buildEvent> | undefined;
    let json: ReturnType<typeof buildEvent> | undefined;
    for (const conn of this.connections) {
      const format = conn.subscriptions.get(key);
      if (format === undefined || conn.channel.closed) continue;
      if (format === "json") this.send(conn, (json ??= buildEvent(nextMessageId(), iface, member, args, "json")));
      else this.send(conn, (msgpack ??= buildEvent(nextMessageId(), iface, member, args)));
    }
  }

  private onRequest(conn: Connection, request: RequestMessage): void {
    const started = performance.now();
    let parsed: { args: readonly unknown[]; chain: readonly number[] };
    const target = splitMethod(request.body.method);
    try {
      parsed = readRequestParams(request);
      if (!target) throw new IPCError("MethodNotFound", `malformed method name ${JSON.stringify(request.body.method)}`);
    } catch (error) {
      return this.respond(conn, request, started, error, true);
    }
    if (target.iface === CONTROL_IFACE) return this.onControl(conn, target.member, parsed.args, request.format ?? "msgpack");
    if (this.detectCycles && closesCycle(parsed.chain, this.nodeId)) {
      const error = new IPCError("DeadlockDetected", `call cycle: ${request.body.method} would wait on a caller that is waiting on it`, {
        context: { method: request.body.method, chain: parsed.chain, node: this.nodeId },
      });
      return this.respond(conn, request, started, error, true);
    }
    const entry = this.services.get(target.iface)?.methods[target.member];
    if (!entry) {
      const error = new IPCError("MethodNotFound", `no method ${request.body.method} is served here`, { context: { method: request.body.method } });
      return this.respond(conn, request, started, error, true);
    }
    const call = new ServerCall(conn, request, started, target.iface, target.member);
    let result: unknown;
    try {
      result = this.detectCycles ? runInChain(parsed.chain, () => entry.handler(parsed.args, call), this.nodeId) : entry.handler(parsed.args, call);
    } catch (error) {
      return this.finish(call, error, true);
    }
    if (isThenable(result)) {
      // Only a call that outlives this turn can be cancelled or orphaned: track just those.
      conn.inFlight.set(request.messageId, call);
      call.tracked = true;
      result.then(
        (value) => this.finish(call, value, false),
        (error: unknown) => this.finish(call, error, true),
      );
    } else {
      this.finish(call, result, false);
    }
  }

  /** A handler finished: forget the call and answer it, unless the caller already gave up. */
  private finish(call: ServerCall, outcome: unknown, failed: boolean): void {
    call.done();
    if (call.tracked) {
      call.tracked = false;
      call.conn.inFlight.delete(call.request.messageId);
    }
    if (!call.aborted) this.respond(call.conn, call.request, call.started, outcome, failed);
  }

  /** Sends the Response of `request` (nothing for oneway requests or a closed channel). */
  private respond(conn: Connection, request: RequestMessage, started: number, outcome: unknown, failed: boolean): void {
    if ((request.body.flags & FLAG_ONEWAY) !== 0 || conn.channel.closed) return;
    const executionUs = Math.round((performance.now() - started) * 1000);
    const id = nextMessageId();
    this.send(conn, failed ? buildErrorResponse(id, request, toErrorDetails(outcome), executionUs) : buildResponse(id, request, outcome, executionUs));
  }

  private onControl(conn: Connection, member: string, args: readonly unknown[], format: PayloadFormat): void {
    if ((member === SUBSCRIBE || member === UNSUBSCRIBE) && typeof args[0] === "string" && typeof args[1] === "string") {
      const key = methodName(args[0], args[1]);
      if (member === SUBSCRIBE) conn.subscriptions.set(key, format);
      else conn.subscriptions.delete(key);
    } else if (member === CANCEL && typeof args[0] === "string" && /^\d+$/.test(args[0])) {
      const id = BigInt(args[0]);
      const call = conn.inFlight.delete(id);
      if (call !== undefined) {
        call.tracked = false;
        call.abort(new IPCError("Cancelled", "the caller cancelled the call"));
      }
    }
  }

  private send(conn: Connection, message: Message): void {
    try {
      if (conn.channel.trySend(message)) return;
    } catch (error) {
      // An unencodable result or error becomes a plain error reply instead of a lost call.
      if (message.type !== "response" || !(error instanceof IPCError) || error.code === "ChannelClosed") return;
      const details = { code: error.code, message: `the reply could not be encoded: ${error.message}` };
      try {
        conn.channel.trySend({ ...message, body: { ...message.body, status: 1, value: null, error: details } });
      } catch {
        // The channel is gone.
      }
      return;
    }
    // The queue is full. Wait for room, but only so much: a peer that keeps
    // calling without reading its replies is disconnected instead of growing our memory.
    if (conn.backlog >= MAX_BACKLOG) {
      void conn.channel.close(false).catch(() => undefined);
      return;
    }
    conn.backlog++;
    conn.channel
      .send(message)
      .catch(() => undefined)
      .finally(() => conn.backlog--);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
