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
import { MessageType, type Message, type PayloadFormat, type RequestMessage } from "../wire/message.js";
import type { SkippedFrame } from "../wire/frame-decoder.js";
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
import { protocols, type ProtocolRegistry } from "../protocol/registry.js";
import { answerNegotiation, encodeNegotiationResult, NEGOTIATE_METHOD } from "../protocol/wire-messages.js";

/** Options of an {@link RpcServer}. */
export interface RpcServerOptions {
  /** This server's node id for cycle detection (default: the process's). */
  nodeId?: number;
  /** Refuse call cycles with DeadlockDetected (default true). */
  detectCycles?: boolean;
  /**
   * Told when a peer breaks the protocol in a way that cannot be answered (a
   * Request with message id 0); the connection is closed right after. For logs.
   */
  onProtocolError?(error: IPCError, channel: Channel): void;
  /**
   * The protocols this server speaks when a peer sends `@nova.negotiate` (idl/WIRE.md §14),
   * so one channel can carry both RPC and a negotiation (default: the process-wide registry).
   */
  protocols?: ProtocolRegistry;
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
  private readonly onProtocolError: RpcServerOptions["onProtocolError"];
  private readonly protocols: ProtocolRegistry;
  /** Connections closed because the peer broke the protocol (see {@link RpcServerOptions.onProtocolError}). */
  protocolViolations = 0;

  constructor(options: RpcServerOptions = {}) {
    this.nodeId = options.nodeId ?? NODE_ID;
    this.detectCycles = options.detectCycles ?? true;
    this.onProtocolError = options.onProtocolError;
    this.protocols = options.protocols ?? protocols;
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
      onError: (error: IPCError, _fatal: boolean, frame?: SkippedFrame) => {
        // An intact Request whose body could not be decoded is answered, not dropped.
        if (frame !== undefined && frame.typeCode === MessageType.Request) this.onUndecodable(conn, error, frame);
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

  /**
   * A Request whose header and CRC are intact but whose body is not: answered
   * with the decoder's error (DeserializationError, MessageTooLarge for a
   * section that would decompress past the limit, UnsupportedVersion for
   * reserved flag bits), unless it says it is oneway. A Request whose header
   * declares a payload over the limit is answered with MessageTooLarge too:
   * its CRC cannot be checked, but a caller whose limit is larger than ours
   * learns why at once instead of timing out (a corrupted id matches no call).
   */
  private onUndecodable(conn: Connection, error: IPCError, frame: SkippedFrame): void {
    // An unverified header (an oversized frame) with id 0 may be noise met while resynchronising: no reply, no verdict.
    if (frame.messageId === 0n) return frame.verified ? this.protocolError(conn, frame.messageId) : undefined;
    if (frame.requestFlags !== undefined && (frame.requestFlags & FLAG_ONEWAY) !== 0) return;
    if (conn.channel.closed) return;
    const details = { code: error.code, message: `the request could not be decoded: ${error.message}` };
    const reply = buildErrorResponse(nextMessageId(), { messageId: frame.messageId } as RequestMessage, details, 0);
    // Answer in the request's format when its flags name a known one (a JSON-only peer can read it).
    if ((frame.flags & 0x03) === 1) reply.format = "json";
    this.send(conn, reply);
  }

  /**
   * A Request with message id 0 cannot be answered: a Response with
   * correlation id 0 means "not a response" (idl/WIRE.md §7). The peer's ids
   * are broken, so nothing it is waiting for can be matched reliably: the
   * connection is closed at once (its pending calls fail now instead of
   * timing out) and the violation is counted and reported.
   */
  private protocolError(conn: Connection, messageId: bigint): void {
    this.protocolViolations++;
    const error = new IPCError("ProtocolError", `request with message id ${messageId}: 0 is never a message id, the connection is closed`, {
      context: { channel: conn.channel.id, messageId: String(messageId) },
    });
    try {
      this.onProtocolError?.(error, conn.channel);
    } catch {
      // A logging hook must not keep the connection open.
    }
    if (!conn.channel.closed) void conn.channel.close(false).catch(() => undefined);
  }

  private onRequest(conn: Connection, request: RequestMessage): void {
    if (request.messageId === 0n) return this.protocolError(conn, request.messageId);
    const started = performance.now();
    let parsed: { args: readonly unknown[]; chain: readonly number[] };
    const target = splitMethod(request.body.method);
    try {
      parsed = readRequestParams(request);
      if (!target) throw new IPCError("MethodNotFound", `malformed method name ${JSON.stringify(request.body.method)}`);
    } catch (error) {
      return this.respond(conn, request, started, error, true);
    }
    if (target.iface === CONTROL_IFACE) return this.onControl(conn, request, started, target.member, parsed.args);
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
    // (Id 0 never gets here, see protocolError; the check keeps correlation id 0 off the wire regardless.)
    if ((request.body.flags & FLAG_ONEWAY) !== 0 || conn.channel.closed || request.messageId === 0n) return;
    const executionUs = Math.round((performance.now() - started) * 1000);
    const id = nextMessageId();
    this.send(conn, failed ? buildErrorResponse(id, request, toErrorDetails(outcome), executionUs) : buildResponse(id, request, outcome, executionUs));
  }

  /**
   * A control request (`@nova.*`). Oneway ones (what RpcClient sends) get no
   * reply, as every oneway request; others get an empty success reply, or
   * MethodNotFound for an unknown member and MessageValidationFailed for
   * arguments of the wrong shape, like any method. `@nova.negotiate` is answered with the
   * chosen protocol from {@link RpcServerOptions.protocols}, as a runtime/protocol endpoint would.
   */
  private onControl(conn: Connection, request: RequestMessage, started: number, member: string, args: readonly unknown[]): void {
    let error: IPCError | undefined;
    let value: unknown = null;
    if (request.body.method === NEGOTIATE_METHOD) {
      try {
        value = encodeNegotiationResult(answerNegotiation(args, this.protocols.list()));
      } catch (err) {
        error = err as IPCError; // answerNegotiation throws only IPCErrors
      }
    } else if (member === SUBSCRIBE || member === UNSUBSCRIBE) {
      if (args.length === 2 && isName(args[0]) && isName(args[1])) {
        const key = methodName(args[0], args[1]);
        if (member === SUBSCRIBE) conn.subscriptions.set(key, request.format ?? "msgpack");
        else conn.subscriptions.delete(key);
      } else {
        error = badControl(member, "[interface, member] (two non-empty strings)", args);
      }
    } else if (member === CANCEL) {
      const id = args.length === 1 ? parseId(args[0]) : undefined;
      if (id === undefined) {
        error = badControl(member, "[request id as a decimal string]", args);
      } else {
        const call = conn.inFlight.delete(id);
        if (call !== undefined) {
          call.tracked = false;
          call.abort(new IPCError("Cancelled", "the caller cancelled the call"));
        }
      }
    } else {
      error = new IPCError("MethodNotFound", `no control request ${CONTROL_IFACE}.${member}`, { context: { method: request.body.method } });
    }
    this.respond(conn, request, started, error ?? value, error !== undefined);
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

function isName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** A request id as `@nova.cancel` carries it: a decimal u64 string. */
function parseId(value: unknown): bigint | undefined {
  if (typeof value !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(value)) return undefined;
  const id = BigInt(value);
  return id <= 0xffff_ffff_ffff_ffffn ? id : undefined;
}

function badControl(member: string, expected: string, args: readonly unknown[]): IPCError {
  return new IPCError("MessageValidationFailed", `${CONTROL_IFACE}.${member} takes ${expected}`, {
    context: { method: `${CONTROL_IFACE}.${member}`, argCount: args.length },
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
