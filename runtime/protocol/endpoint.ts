/**
 * A protocol endpoint over a NOVA channel (spec 5.1.4 `ProtocolEndpoint`): the carrier under
 * send/receive_protocol_message and negotiate_protocol.
 *
 * It takes over the channel's push handler and sorts what arrives:
 * - `@nova.negotiate` Requests are answered at once from the registry (the responder's half of
 *   the negotiation; both sides then know the outcome, {@link ChannelEndpoint.negotiated});
 * - Responses to our own `@nova.negotiate` settle {@link ChannelEndpoint.negotiate};
 * - `@nova.protocol` Events are envelopes: queued under their protocol's name, still encoded
 *   (the handler decodes on receive, so a bad payload fails the receive, not the channel);
 * - everything else is a `nova` message, queued as decoded.
 *
 * Queues are per protocol; past {@link MAX_QUEUED} items in all, the endpoint stops reading the
 * channel (the peer's sends then wait in the kernel) until receives have taken it below half.
 * Envelopes of protocols not registered here are dropped and counted in {@link ChannelEndpoint.dropped}.
 */
import { IPCError, isIPCError } from "../errors.js";
import { nextMessageId, nowNs } from "../wire/message-id.js";
import { Offset } from "../wire/constants.js";
import { readU64 } from "../wire/bytes.js";
import type { Message, PayloadFormat, RequestMessage, ResponseMessage } from "../wire/message.js";
import { TRANSPORT_DEFAULTS, type Channel } from "../transport/types.js";
import { buildErrorResponse, buildResponse, FLAG_ONEWAY, toErrorDetails } from "../rpc/rpc-protocol.js";
import type { NegotiatedProtocol, ProtocolInfo } from "./handler.js";
import { NOVA_PROTOCOL } from "./nova-handler.js";
import { protocols, type ProtocolRegistry } from "./registry.js";
import type { ProtocolVersion } from "./version.js";
import {
  answerNegotiation,
  decodeEnvelope,
  decodeNegotiationResult,
  encodeEnvelope,
  encodeNegotiationRequest,
  encodeNegotiationResult,
  NEGOTIATE_METHOD,
  PROTOCOL_EVENT,
} from "./wire-messages.js";

/** Items an endpoint queues, all protocols together, before it stops reading its channel. */
export const MAX_QUEUED = 10_000;

/** One received item: an encoded envelope payload, a decoded `nova` message, or the error that arrived in its place. */
export interface ReceivedItem {
  readonly version: ProtocolVersion;
  readonly messageId: bigint;
  readonly payload?: Uint8Array;
  readonly message?: Message;
  readonly error?: IPCError;
}

interface Waiter {
  resolve(item: ReceivedItem): void;
  reject(error: IPCError): void;
}

interface PendingNegotiation {
  offers: readonly ProtocolInfo[];
  resolve(p: NegotiatedProtocol): void;
  reject(error: IPCError): void;
}

/** Options of a {@link ChannelEndpoint}. */
export interface ChannelEndpointOptions {
  /** Payload format of the frames this side starts with (default msgpack); see idl/WIRE.md §14.3. */
  readonly format?: PayloadFormat;
}

/** See the file comment. */
export class ChannelEndpoint {
  private readonly queues = new Map<string, ReceivedItem[]>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly pending = new Map<bigint, PendingNegotiation>();
  private readonly negotiatedListeners: ((p: NegotiatedProtocol) => void)[] = [];
  private queued = 0;
  private paused = false;
  private closedWith: IPCError | undefined;
  private agreed: NegotiatedProtocol | undefined;
  /**
   * The payload format of our negotiation Requests and envelopes: the constructor's, replaced by
   * that of each negotiation Request we answer, so a JSON-only initiator gets JSON.
   */
  private format: PayloadFormat | undefined;
  /** Envelopes dropped because their protocol is not registered here. */
  dropped = 0;

  constructor(
    readonly channel: Channel,
    readonly registry: ProtocolRegistry = protocols,
    options: ChannelEndpointOptions = {},
  ) {
    this.format = options.format;
    channel.setHandler({
      onMessage: (m) => this.onMessage(m),
      onError: (error, fatal) => {
        if (!fatal) this.push(NOVA_PROTOCOL, { version: this.novaVersion(), messageId: 0n, error: new IPCError("MessageCorrupted", error.message, { cause: error, context: { code: error.code } }) });
      },
      onClose: (error) => this.onClose(error),
    });
  }

  /** The channel's endpoint path, for messages. */
  get name(): string {
    return this.channel.endpoint;
  }

  /** The protocol agreed on by the last successful negotiation on this channel (either side started it). */
  get negotiated(): NegotiatedProtocol | undefined {
    return this.agreed;
  }

  /** Resolves with the agreed protocol once a negotiation succeeded (at once if one has); TimeoutExpired after `timeoutMs`. */
  whenNegotiated(timeoutMs: number = TRANSPORT_DEFAULTS.timeoutMs): Promise<NegotiatedProtocol> {
    if (this.agreed) return Promise.resolve(this.agreed);
    let listener: ((p: NegotiatedProtocol) => void) | undefined;
    return this.timed<NegotiatedProtocol>(
      timeoutMs,
      "negotiation by the peer",
      (resolve) => this.negotiatedListeners.push((listener = resolve)),
      () => this.negotiatedListeners.splice(this.negotiatedListeners.indexOf(listener!), 1),
    );
  }

  /**
   * The initiator's half (idl/WIRE.md §14): sends `@nova.negotiate` offering `offers` and
   * resolves with the peer's choice. Rejects with NoCommonProtocol, NegotiationFailed (a
   * malformed or impossible answer, or a peer that does not negotiate), TimeoutExpired, or
   * EndpointUnreachable when the channel is closed.
   */
  negotiate(offers: readonly ProtocolInfo[], timeoutMs: number = TRANSPORT_DEFAULTS.timeoutMs): Promise<NegotiatedProtocol> {
    const id = nextMessageId();
    const request: RequestMessage = {
      type: "request",
      messageId: id,
      correlationId: 0n,
      timestampNs: nowNs(),
      format: this.format,
      // The wire's timeout is informative; 0 means none (an Infinity wait).
      body: { method: NEGOTIATE_METHOD, params: encodeNegotiationRequest(offers), timeoutMs: Number.isFinite(timeoutMs) ? Math.min(Math.max(0, Math.ceil(timeoutMs)), 0xffffffff) : 0, flags: 0 },
    };
    const result = this.timed<NegotiatedProtocol>(timeoutMs, "negotiation", (resolve, reject) => this.pending.set(id, { offers, resolve, reject })).finally(() => this.pending.delete(id));
    this.channel.send(request, { timeoutMs }).catch((error: unknown) => this.pending.get(id)?.reject(isIPCError(error) && error.code !== "ChannelClosed" ? error : this.unreachable(error)));
    return result;
  }

  /**
   * Sends one payload of `protocol`: a `nova` payload is a whole frame and goes out as itself;
   * any other travels in a `@nova.protocol` envelope. Resolves with the message id of the frame
   * sent. EndpointUnreachable when the channel is closed, TimeoutExpired when its queue stays full.
   */
  async send(protocol: string, version: ProtocolVersion, payload: Uint8Array, timeoutMs: number = TRANSPORT_DEFAULTS.timeoutMs): Promise<bigint> {
    try {
      if (protocol === NOVA_PROTOCOL) {
        await this.sendFrame(payload, timeoutMs);
        return readU64(payload, Offset.messageId);
      }
      return await this.channel.send(
        { type: "event", messageId: nextMessageId(), correlationId: 0n, timestampNs: nowNs(), format: this.format, body: { eventType: PROTOCOL_EVENT, data: encodeEnvelope(protocol, version, payload), sourceId: 0n, priority: 128 } },
        { timeoutMs },
      );
    } catch (error) {
      throw isIPCError(error, "ChannelClosed") ? this.unreachable(error) : error;
    }
  }

  /** Queues one whole frame, waiting up to `timeoutMs` for room (TimeoutExpired). */
  private async sendFrame(frame: Uint8Array, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.channel.trySendFrame(frame)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new IPCError("TimeoutExpired", `${this.name}: the outbound queue stayed full for ${timeoutMs} ms`, { context: { endpoint: this.name, timeoutMs } });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.channel.writable(), new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
  }

  /** The next item of `protocol`, waiting up to `timeoutMs` (TimeoutExpired); ChannelClosed once the channel is closed and the queue empty. */
  receive(protocol: string, timeoutMs: number = TRANSPORT_DEFAULTS.timeoutMs): Promise<ReceivedItem> {
    const queue = this.queues.get(protocol);
    const item = queue?.shift();
    if (item) {
      this.taken();
      return Promise.resolve(item);
    }
    if (this.closedWith) return Promise.reject(this.closedWith);
    const list = this.waiters.get(protocol) ?? [];
    this.waiters.set(protocol, list);
    let waiter: Waiter | undefined;
    return this.timed(
      timeoutMs,
      `a ${protocol} message`,
      (resolve, reject) => list.push((waiter = { resolve, reject })),
      // A receive that timed out must not take the next item with it.
      () => list.splice(list.indexOf(waiter!), 1),
    );
  }

  /** Closes the channel (immediately). */
  async close(): Promise<void> {
    if (!this.channel.closed) await this.channel.close(false).catch(() => undefined);
  }

  private novaVersion(): ProtocolVersion {
    return this.registry.get(NOVA_PROTOCOL)?.versions.max ?? { major: 1, minor: 0 };
  }

  private onMessage(m: Message): void {
    if (m.type === "request" && m.body.method === NEGOTIATE_METHOD) return this.answer(m);
    if (m.type === "response" && this.pending.has(m.correlationId)) return this.settle(m);
    if (m.type === "event" && m.body.eventType === PROTOCOL_EVENT) {
      let item: ReceivedItem & { name?: string };
      try {
        const e = decodeEnvelope(m.body.data);
        item = { name: e.name, version: e.version, messageId: m.messageId, payload: e.payload };
      } catch (error) {
        const data = m.body.data;
        const name = Array.isArray(data) && typeof data[0] === "string" ? data[0] : undefined;
        item = { name, version: { major: 0, minor: 0 }, messageId: m.messageId, error: error as IPCError };
      }
      if (item.name === undefined || !this.registry.get(item.name)) {
        this.dropped++;
        return;
      }
      return this.push(item.name, item);
    }
    this.push(NOVA_PROTOCOL, { version: this.novaVersion(), messageId: m.messageId, message: m });
  }

  /** The responder's half: answer from the registry (nothing for a oneway request or id 0, as for every control request). */
  private answer(request: RequestMessage): void {
    if ((request.body.flags & FLAG_ONEWAY) !== 0 || request.messageId === 0n) return;
    let reply: ResponseMessage;
    try {
      const chosen = answerNegotiation(request.body.params, this.registry.list());
      reply = buildResponse(nextMessageId(), request, encodeNegotiationResult(chosen), 0);
      this.format = request.format;
      this.agree(chosen);
    } catch (error) {
      reply = buildErrorResponse(nextMessageId(), request, toErrorDetails(error), 0);
    }
    this.channel.send(reply).catch(() => undefined);
  }

  private settle(response: ResponseMessage): void {
    const p = this.pending.get(response.correlationId)!;
    const { status, value, error } = response.body;
    if (status === 0) {
      try {
        const chosen = decodeNegotiationResult(value, p.offers);
        this.agree(chosen);
        p.resolve(chosen);
      } catch (e) {
        p.reject(e as IPCError);
      }
      return;
    }
    const remote = `${error?.code ?? "unknown"}: ${error?.message ?? "no details"}`;
    if (error?.code === "NoCommonProtocol") {
      p.reject(new IPCError("NoCommonProtocol", `the peer speaks none of the offered protocols (${error.message})`, { context: { endpoint: this.name, remote: error.data } }));
    } else {
      const why = error?.code === "MethodNotFound" ? "the peer does not negotiate (it predates @nova.negotiate)" : `the peer refused the negotiation (${remote})`;
      p.reject(new IPCError("NegotiationFailed", why, { context: { endpoint: this.name, remoteCode: error?.code } }));
    }
  }

  private agree(chosen: NegotiatedProtocol): void {
    this.agreed = chosen;
    for (const f of this.negotiatedListeners.splice(0)) f(chosen);
  }

  private push(protocol: string, item: ReceivedItem): void {
    const w = this.waiters.get(protocol)?.shift();
    if (w) return w.resolve(item);
    const queue = this.queues.get(protocol) ?? [];
    queue.push(item);
    this.queues.set(protocol, queue);
    if (++this.queued >= MAX_QUEUED && !this.paused) {
      this.paused = true;
      this.channel.setReadPaused(true);
    }
  }

  private taken(): void {
    if (--this.queued <= MAX_QUEUED / 2 && this.paused) {
      this.paused = false;
      this.channel.setReadPaused(false);
    }
  }

  private onClose(error: IPCError | undefined): void {
    this.closedWith = new IPCError("ChannelClosed", `${this.name}: the channel closed${error ? `: ${error.message}` : ""}`, { cause: error });
    for (const list of this.waiters.values()) for (const w of list.splice(0)) w.reject(this.closedWith);
    for (const p of this.pending.values()) p.reject(this.unreachable(this.closedWith));
  }

  private unreachable(cause: unknown): IPCError {
    return new IPCError("EndpointUnreachable", `${this.name} is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, context: { endpoint: this.name } });
  }

  /**
   * A promise settled by `register`'s callbacks, or rejected with TimeoutExpired after
   * `timeoutMs` (Infinity: never), calling `onTimeout` first to unregister.
   */
  private timed<T>(timeoutMs: number, what: string, register: (resolve: (v: T) => void, reject: (e: IPCError) => void) => void, onTimeout?: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        if (timer) clearTimeout(timer);
        return true;
      };
      register(
        (v) => finish() && resolve(v),
        (e) => finish() && reject(e),
      );
      if (Number.isFinite(timeoutMs) && !done) {
        timer = setTimeout(() => {
          if (!finish()) return;
          onTimeout?.();
          reject(new IPCError("TimeoutExpired", `${this.name}: no ${what} within ${timeoutMs} ms`, { context: { endpoint: this.name, timeoutMs } }));
        }, timeoutMs);
      }
    });
  }
}
