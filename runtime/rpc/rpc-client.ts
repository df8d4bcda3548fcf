/**
 * The client side of RPC over a {@link Channel}: implements the
 * {@link RpcClientPort} that generated clients talk to.
 *
 * Requests are matched to Responses by correlation id; each call has a
 * timeout (default 5 s) and may be cancelled with an AbortSignal. When the
 * channel closes, every pending call fails at once with `ChannelClosed`.
 */
import { IPCError } from "../errors.js";
import { MessageType, type Message, type ResponseMessage } from "../wire/message.js";
import type { Channel } from "../transport/types.js";
import type { CallOptions, Callback, RpcClientPort } from "./contract.js";
import { currentChain, enableAsyncChains } from "./call-chain.js";
import {
  buildRequest,
  CANCEL,
  CONTROL_IFACE,
  fromErrorDetails,
  methodName,
  STATUS_OK,
  SUBSCRIBE,
  UNSUBSCRIBE,
} from "./rpc-protocol.js";
import { nextMessageId } from "./message-ids.js";
import { Deadlines, type Timed } from "./deadlines.js";
import { IdTable } from "./id-table.js";

/** Options of an {@link RpcClient}. */
export interface RpcClientOptions {
  /** Default per-call timeout in ms (5000). */
  timeoutMs?: number;
}

/** Oneway messages that may wait for room (spec 6.1.1 queue size). */
const MAX_ONEWAY_BACKLOG = 10_000;

interface PendingCall extends Timed {
  readonly id: bigint;
  resolve(value: unknown): void;
  reject(error: IPCError): void;
  timeoutMs: number;
  method: string;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** RPC client over one channel; see the file comment. */
export class RpcClient implements RpcClientPort {
  private readonly pending = new IdTable<PendingCall>();
  private readonly listeners = new Map<string, Set<(args: readonly unknown[]) => void>>();
  private readonly timeoutMs: number;
  private closeError: IPCError | undefined;
  /** Oneway messages waiting for room in a full outbound queue. */
  private backlog = 0;
  private readonly deadlines = new Deadlines<PendingCall>((call) => {
    if (this.pending.get(call.id) === call) this.fail(call.id, timedOut(call.method, call.timeoutMs), true);
  });

  constructor(
    readonly channel: Channel,
    options: RpcClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    // A handler of this process can call out from now on: carry call chains across awaits.
    enableAsyncChains();
    channel.setHandler({
      onMessage: (message) => this.onMessage(message),
      onError: (error, _fatal, frame) => {
        // An intact Response whose body could not be decoded still says which call it answers:
        // fail that call with the decoding error now instead of letting it time out.
        if (frame !== undefined && frame.typeCode === MessageType.Response) this.fail(frame.correlationId, error, false);
      },
      onClose: (reason) => this.onClose(reason),
    });
  }

  /** Calls pending right now (for monitoring, tests and graceful close). */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** See {@link RpcClientPort.call}; with `callback`, the outcome also goes to it (Node style). */
  call(iface: string, member: string, args: readonly unknown[], options?: CallOptions, callback?: Callback<unknown>): Promise<unknown> {
    const promise = this.startCall(iface, member, args, options);
    if (callback) promise.then((value) => callback(null, value), (error: IPCError) => callback(error));
    return promise;
  }

  /** See {@link RpcClientPort.callOneway}; throws TimeoutExpired when 10,000 oneway messages already wait for room. */
  callOneway(iface: string, member: string, args: readonly unknown[]): void {
    if (this.closeError) throw this.closeError;
    const request = buildRequest(nextMessageId(), iface, member, args, 0, true, currentChain());
    if (this.channel.trySend(request)) return;
    // The queue is full: wait for room in the background, but only up to the
    // spec's queue size, so memory stays bounded; beyond it the call fails now.
    if (this.backlog >= MAX_ONEWAY_BACKLOG) {
      throw new IPCError("TimeoutExpired", `outbound queue full: ${this.backlog} oneway messages already wait for room`, {
        context: { backlog: this.backlog },
      });
    }
    this.backlog++;
    this.channel
      .send(request)
      .catch(() => undefined)
      .finally(() => this.backlog--);
  }

  /** See {@link RpcClientPort.subscribe}; the first listener of a signal tells the server to start sending it. */
  subscribe(iface: string, member: string, listener: (args: readonly unknown[]) => void): () => void {
    const key = methodName(iface, member);
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
      this.control(SUBSCRIBE, [iface, member]);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(key);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(key);
      this.control(UNSUBSCRIBE, [iface, member]);
    };
  }

  /**
   * Closes the connection. Graceful: waits for pending calls to settle (up to
   * the default call timeout), flushes, then closes; rejects with
   * `PendingMessages` if calls were still pending. Immediate: pending calls
   * fail with `ChannelClosed` now.
   */
  async close(graceful = true): Promise<void> {
    let unsettled = 0;
    if (graceful && this.pending.size > 0) {
      const deadline = Date.now() + this.timeoutMs;
      while (this.pending.size > 0 && Date.now() < deadline && !this.channel.closed) await new Promise((r) => setTimeout(r, 5));
      unsettled = this.pending.size;
    }
    await this.channel.close(graceful && unsettled === 0);
    if (unsettled > 0) {
      throw new IPCError("PendingMessages", `${unsettled} call(s) were still pending at close`, { context: { pendingCalls: unsettled } });
    }
  }

  private startCall(iface: string, member: string, args: readonly unknown[], options: CallOptions | undefined): Promise<unknown> {
    if (this.closeError) return Promise.reject(this.closeError);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(cancelled(methodName(iface, member)));
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const id = nextMessageId();
    const request = buildRequest(id, iface, member, args, timeoutMs, false, currentChain());
    return new Promise<unknown>((resolve, reject) => {
      const call: PendingCall = {
        id,
        resolve,
        reject,
        timeoutMs,
        method: request.body.method,
        signal,
        onAbort: undefined,
        expiresAt: 0,
        timed: false,
      };
      this.pending.set(id, call);
      this.deadlines.add(call, timeoutMs);
      if (signal) {
        call.onAbort = () => this.fail(id, cancelled(call.method), true);
        signal.addEventListener("abort", call.onAbort, { once: true });
      }
      try {
        if (!this.channel.trySend(request)) {
          this.channel.send(request, { timeoutMs }).catch((error: IPCError) => this.fail(id, error, false));
        }
      } catch (error) {
        this.fail(id, error as IPCError, false);
      }
    });
  }

  private onMessage(message: Message): void {
    if (message.type === "response") this.onResponse(message);
    else if (message.type === "event") {
      const set = this.listeners.get(message.body.eventType);
      if (!set) return;
      const args = Array.isArray(message.body.data) ? (message.body.data as unknown[]) : [message.body.data];
      for (const listener of [...set]) {
        try {
          listener(args);
        } catch {
          // A failing listener must not break delivery to the others.
        }
      }
    }
  }

  private onResponse(response: ResponseMessage): void {
    const call = this.pending.delete(response.correlationId);
    if (!call) return; // timed out or cancelled earlier
    this.settle(call);
    if (response.body.status === STATUS_OK) call.resolve(response.body.value === null ? undefined : response.body.value);
    else call.reject(fromErrorDetails(response.body.error, call.method));
  }

  private fail(id: bigint, error: IPCError, tellServer: boolean): void {
    const call = this.pending.delete(id);
    if (!call) return;
    this.settle(call);
    call.reject(error);
    if (tellServer && !this.channel.closed) this.control(CANCEL, [id.toString()]);
  }

  private settle(call: PendingCall): void {
    this.deadlines.remove(call, call.timeoutMs);
    if (call.onAbort) call.signal?.removeEventListener("abort", call.onAbort);
  }

  private control(member: string, args: readonly unknown[]): void {
    if (this.channel.closed) return;
    try {
      this.callOneway(CONTROL_IFACE, member, args);
    } catch {
      // Closing: nothing to tell the server any more.
    }
  }

  private onClose(reason: IPCError | undefined): void {
    const error =
      reason ?? new IPCError("ChannelClosed", `connection to ${this.channel.endpoint} closed`, { context: { endpoint: this.channel.endpoint } });
    this.closeError = error;
    this.deadlines.clear();
    for (const [id, call] of this.pending.entries()) {
      this.pending.delete(id);
      this.settle(call);
      call.reject(error.code === "ChannelClosed" ? error : new IPCError("ChannelClosed", error.message, { cause: error }));
    }
  }
}

function timedOut(method: string, timeoutMs: number): IPCError {
  return new IPCError("TimeoutExpired", `${method} did not answer within ${timeoutMs} ms`, { context: { method, timeoutMs } });
}

function cancelled(method: string): IPCError {
  return new IPCError("Cancelled", `${method} was cancelled`, { context: { method } });
}
