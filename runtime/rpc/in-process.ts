/**
 * An in-process implementation of the RPC ports: a client and a server joined
 * by nothing but a function call, yet with every behaviour a real transport
 * has — timeouts, cancellation, unknown members, declared errors, oneway
 * calls, signals — and values copied on the way so nothing is shared by
 * reference. Generated code cannot tell it apart from a socket, which is what
 * makes it useful for tests and for components living in one process.
 */
import { IPCError } from "../errors.js";
import type {
  CallContext,
  CallOptions,
  Registration,
  RpcClientPort,
  RpcServerPort,
  ServiceDefinition,
} from "./contract.js";
import { errorDetailsToIPCError, failureToErrorDetails } from "./remote-failure.js";
import { createValueCopier, type ValueCopier, type ValueCopyMode } from "./value-copy.js";

/** Default per-call timeout (spec 6.1.1: 5 s message timeout). */
export const DEFAULT_CALL_TIMEOUT_MS = 5000;
/** setTimeout's largest delay; longer timeouts are clamped to it. */
const MAX_TIMER_MS = 2_147_483_647;

/** Options of {@link createInProcessPair}. */
export interface InProcessPairOptions {
  /** Timeout of calls that pass none (default {@link DEFAULT_CALL_TIMEOUT_MS}). `Infinity` disables it. */
  defaultTimeoutMs?: number;
  /** How values are copied between the two sides (default `"msgpack"`, like a real wire). */
  copy?: ValueCopyMode;
  /** Peer credentials handed to server handlers (default: this process's pid/uid/gid). */
  peer?: CallContext["peer"];
  /**
   * Receives failures nobody else can: a throwing signal listener, a failing
   * oneway handler. Without it they are dropped, as a remote peer's would be.
   */
  onUnhandledError?: (error: unknown, iface: string, member: string) => void;
}

/** A connected client/server pair. */
export interface InProcessPair {
  readonly client: RpcClientPort;
  readonly server: RpcServerPort;
  /** Closes the "connection": pending and later calls reject with `ChannelClosed`. */
  close(): void;
}

interface PendingCall {
  fail(error: IPCError): void;
}

/** Creates a connected in-process client/server pair. */
export function createInProcessPair(options: InProcessPairOptions = {}): InProcessPair {
  const copy = createValueCopier(options.copy ?? "msgpack");
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  checkTimeout(defaultTimeoutMs, "defaultTimeoutMs");
  const peer = options.peer ?? currentProcessPeer();
  const reportUnhandled = options.onUnhandledError ?? (() => undefined);
  const services = new Map<string, ServiceDefinition>();
  const listeners = new Map<string, Set<(args: readonly unknown[]) => void>>();
  const pending = new Set<PendingCall>();
  let closed = false;

  const server: RpcServerPort = {
    register(service: ServiceDefinition): Registration {
      if (typeof service.iface !== "string" || service.iface.length === 0) {
        throw new IPCError("InvalidArgument", "a service needs a non-empty interface name");
      }
      if (services.has(service.iface)) {
        throw new IPCError("HandlerAlreadyRegistered", `interface ${service.iface} is already served`, {
          context: { iface: service.iface },
        });
      }
      services.set(service.iface, service);
      return {
        unregister(): void {
          if (services.get(service.iface) === service) services.delete(service.iface);
        },
      };
    },
    emit(iface: string, member: string, args: readonly unknown[]): void {
      if (closed) return;
      const targets = listeners.get(signalKey(iface, member));
      if (targets === undefined || targets.size === 0) return;
      for (const listener of [...targets]) {
        // One copy per listener: listeners must not see each other's mutations.
        const delivered = copy([...args]) as unknown[];
        queueMicrotask(() => {
          if (!targets.has(listener)) return;
          try {
            listener(delivered);
          } catch (error) {
            reportUnhandled(error, iface, member);
          }
        });
      }
    },
  };

  const client: RpcClientPort = {
    call(iface, member, args, callOptions: CallOptions = {}): Promise<unknown> {
      return new Promise<unknown>((resolve, reject) => {
        if (closed) return reject(channelClosed(iface, member));
        const timeoutMs = callOptions.timeoutMs ?? defaultTimeoutMs;
        checkTimeout(timeoutMs, "timeoutMs");
        const callerSignal = callOptions.signal;
        if (callerSignal?.aborted) return reject(cancelled(iface, member));
        const wireArgs = copy([...args]) as unknown[];
        const controller = new AbortController();
        let settled = false;
        const finish = (outcome: () => void): void => {
          if (settled) return;
          settled = true;
          if (timer !== undefined) clearTimeout(timer);
          callerSignal?.removeEventListener("abort", onAbort);
          pending.delete(entry);
          outcome();
        };
        const fail = (error: IPCError): void => {
          controller.abort(error);
          finish(() => reject(error));
        };
        const entry: PendingCall = { fail };
        const onAbort = (): void => fail(cancelled(iface, member));
        const timer = Number.isFinite(timeoutMs)
          ? setTimeout(() => fail(timedOut(iface, member, timeoutMs)), Math.min(timeoutMs, MAX_TIMER_MS))
          : undefined;
        callerSignal?.addEventListener("abort", onAbort, { once: true });
        pending.add(entry);
        const context: CallContext = { iface, member, signal: controller.signal, peer };
        dispatch(iface, member, wireArgs, context).then(
          (value) => finish(() => resolve(value)),
          (error: IPCError) => finish(() => reject(error)),
        );
      });
    },
    callOneway(iface, member, args): void {
      if (closed) return;
      const wireArgs = copy([...args]) as unknown[];
      const context: CallContext = { iface, member, signal: new AbortController().signal, peer };
      // Nobody awaits a oneway call: its failures go to the unhandled-error hook.
      dispatch(iface, member, wireArgs, context).catch((error: unknown) => reportUnhandled(error, iface, member));
    },
    subscribe(iface, member, listener): () => void {
      const key = signalKey(iface, member);
      let set = listeners.get(key);
      if (set === undefined) {
        set = new Set();
        listeners.set(key, set);
      }
      // Wrap so that subscribing the same function twice gives two subscriptions.
      const wrapped = (delivered: readonly unknown[]): void => listener(delivered);
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    },
  };

  /** Runs the handler on a later tick and turns its outcome into a copied value or an IPCError. */
  async function dispatch(iface: string, member: string, args: unknown[], context: CallContext): Promise<unknown> {
    await Promise.resolve();
    const service = services.get(iface);
    const entry = service === undefined ? undefined : Object.hasOwn(service.methods, member) ? service.methods[member] : undefined;
    if (entry === undefined) {
      throw new IPCError("MethodNotFound", `${iface}.${member} is not served`, { context: { iface, member } });
    }
    let result: unknown;
    try {
      result = await entry.handler(args, context);
    } catch (failure) {
      throw errorDetailsToIPCError(copyDetails(copy, failure), iface, member);
    }
    if (entry.oneway === true) return undefined;
    return copy(result);
  }

  return {
    client,
    server,
    close(): void {
      if (closed) return;
      closed = true;
      for (const call of [...pending]) call.fail(new IPCError("ChannelClosed", "the channel was closed"));
      listeners.clear();
    },
  };
}

/** Error details survive the copy; if the data cannot be encoded, only the data is lost. */
function copyDetails(copy: ValueCopier, failure: unknown) {
  const details = failureToErrorDetails(failure);
  try {
    return copy(details) as typeof details;
  } catch {
    return { ...details, data: undefined };
  }
}

function checkTimeout(value: number, name: string): void {
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new IPCError("InvalidArgument", `${name} must be a positive number of milliseconds`, {
      context: { [name]: value },
    });
  }
}

function currentProcessPeer(): CallContext["peer"] {
  return {
    pid: process.pid,
    uid: typeof process.getuid === "function" ? process.getuid() : undefined,
    gid: typeof process.getgid === "function" ? process.getgid() : undefined,
  };
}

function signalKey(iface: string, member: string): string {
  // NUL cannot occur in NIDL names, so the key is unambiguous.
  return `${iface}\u0000${member}`;
}

function channelClosed(iface: string, member: string): IPCError {
  return new IPCError("ChannelClosed", "the channel is closed", { context: { iface, member } });
}

function cancelled(iface: string, member: string): IPCError {
  return new IPCError("Cancelled", `call to ${iface}.${member} was cancelled`, { context: { iface, member } });
}

function timedOut(iface: string, member: string, timeoutMs: number): IPCError {
  return new IPCError("TimeoutExpired", `call to ${iface}.${member} timed out after ${timeoutMs} ms`, {
    context: { iface, member, timeoutMs },
  });
}
