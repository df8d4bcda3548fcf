/**
 * Generated clients against any D-Bus service: {@link dbusProxy} gives an
 * {@link RpcClientPort} that calls `destination` at `path` over a
 * {@link DbusConnection}, so `new CalculatorClient(dbusProxy(conn, …))` (or a
 * client generated from XML with `nova-gen import dbus`) calls a real GDBus,
 * sd-bus or Qt service.
 *
 * Methods are D-Bus method calls (`@oneway` ones with NO_REPLY_EXPECTED);
 * signals are match rules on the service's name, path, interface and member;
 * properties go through org.freedesktop.DBus.Properties, and their values are
 * cached while the proxy listens to PropertiesChanged (proxy-properties.ts).
 * Values are converted with the descriptor's type tree; error replies become
 * the IPCErrors generated clients turn back into declared error classes
 * (dbus-errors.ts).
 */
import { IPCError } from "../errors.js";
import { PROPERTY_CHANGED, PROPERTY_GET, PROPERTY_SET, type CallOptions, type RpcClientPort } from "../rpc/contract.js";
import type { DbusConnection } from "./connection.js";
import { argsFromDbus, argsToDbus } from "./convert.js";
import { remoteFailure } from "./dbus-errors.js";
import { byNidlName, type IndexedDescriptor } from "./descriptor-index.js";
import type { DbusInterfaceDescriptor } from "./descriptor.js";
import type { MatchRule } from "./match-rule.js";
import { closeReceivedFds } from "./received-fds.js";
import { PropertyCache, type Subscription } from "./proxy-properties.js";
import type { DbusMessage } from "./wire/message.js";

/** Options of {@link dbusProxy}. */
export interface ProxyOptions {
  /** The service's bus name (well-known or unique). */
  readonly destination: string;
  /** The object path; default: the interface's `@dbus(path = …)`. */
  readonly path?: string;
  /** The generated descriptors of the interfaces the clients on this port call. */
  readonly interfaces: readonly DbusInterfaceDescriptor[];
  /** Default per-call timeout in milliseconds (default: the connection's). */
  readonly timeoutMs?: number;
}

/** An {@link RpcClientPort} to one D-Bus object. */
export interface DbusClientPort extends RpcClientPort {
  /** Resolves once every subscription made so far is active on the bus (its match rule added). */
  subscribed(): Promise<void>;
  /** Removes every match rule and forgets the cached properties (the connection stays open). */
  close(): Promise<void>;
}

/** A client port calling `options.destination` over `conn`. */
export function dbusProxy(conn: DbusConnection, options: ProxyOptions): DbusClientPort {
  return new ProxyPort(conn, options);
}

class ProxyPort implements DbusClientPort {
  readonly #conn: DbusConnection;
  readonly #options: ProxyOptions;
  readonly #descriptors: Map<string, IndexedDescriptor>;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #removers = new Set<() => Promise<void>>();
  readonly #properties: PropertyCache;

  constructor(conn: DbusConnection, options: ProxyOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#descriptors = byNidlName(options.interfaces);
    this.#properties = new PropertyCache(conn, options.destination, (rule, listener) => this.#match(rule, listener));
  }

  #lookup(iface: string, member: string): { index: IndexedDescriptor; path: string } {
    const index = this.#descriptors.get(iface);
    if (index === undefined) {
      throw new IPCError("InvalidArgument", `no D-Bus descriptor for ${iface}: pass its generated …Dbus descriptor in dbusProxy's interfaces`, {
        context: { iface, member },
      });
    }
    const path = this.#options.path ?? index.descriptor.path;
    if (path === undefined) throw new IPCError("InvalidArgument", `${iface} has no @dbus(path = …): give dbusProxy a path`, { context: { iface, member } });
    return { index, path };
  }

  call(iface: string, member: string, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    let target: { index: IndexedDescriptor; path: string };
    try {
      target = this.#lookup(iface, member);
    } catch (error) {
      return Promise.reject(error);
    }
    const opts = { timeoutMs: options?.timeoutMs ?? this.#options.timeoutMs, signal: options?.signal };
    if (member === PROPERTY_GET) return this.#properties.get(target.index, target.path, String(args[0]), opts);
    if (member === PROPERTY_SET) return this.#properties.set(target.index, target.path, String(args[0]), args[1], opts);
    const method = target.index.methodByMember.get(member);
    if (method === undefined) return Promise.reject(new IPCError("MethodNotFound", `${iface} has no method ${member}`, { context: { iface, member } }));
    let body: unknown[];
    try {
      body = argsToDbus(method.in, args);
    } catch (error) {
      return Promise.reject(error);
    }
    const d = target.index.descriptor;
    return this.#conn
      .call({ destination: this.#options.destination, path: target.path, interface: d.interface, member: method.name, signature: method.inSignature, body }, opts)
      .then(
        (reply) => {
          if (reply.signature !== method.outSignature) {
            closeReceivedFds(reply);
            throw new IPCError("MessageValidationFailed", `${d.interface}.${method.name} returned '${reply.signature}', expected '${method.outSignature}'`, {
              context: { iface, member, part: "result" },
            });
          }
          const out = argsFromDbus(method.out, reply.body);
          return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
        },
        (error: unknown) => {
          throw remoteFailure(error, target.index.errorByName, { iface, member });
        },
      );
  }

  callOneway(iface: string, member: string, args: readonly unknown[]): void {
    const { index, path } = this.#lookup(iface, member);
    const method = index.methodByMember.get(member);
    if (method === undefined) throw new IPCError("MethodNotFound", `${iface} has no method ${member}`, { context: { iface, member } });
    const message = { destination: this.#options.destination, path, interface: index.descriptor.interface, member: method.name, signature: method.inSignature, body: argsToDbus(method.in, args) };
    // Nothing comes back; a send failure (closed connection) is all there is to lose.
    this.#conn.call(message, { noReply: true }).catch(() => undefined);
  }

  subscribe(iface: string, member: string, listener: (args: readonly unknown[]) => void): () => void {
    const { index, path } = this.#lookup(iface, member);
    if (member === PROPERTY_CHANGED) return this.#properties.observe(index, path, listener);
    const signal = index.signalByMember.get(member);
    if (signal === undefined) throw new IPCError("MethodNotFound", `${iface} has no signal ${member}`, { context: { iface, member } });
    const rule = { type: "signal", sender: this.#options.destination, path, interface: index.descriptor.interface, member: signal.name } as const;
    return this.#match(rule, (msg) => {
      // A signal of another shape (an older or newer service) cannot be delivered as this version's arguments.
      let args: unknown[] | undefined;
      if (msg.signature === signal.signature) {
        try {
          args = argsFromDbus(signal.args, msg.body);
        } catch {
          args = undefined;
        }
      }
      if (args === undefined) closeReceivedFds(msg);
      else listener(args);
    }).stop;
  }

  /**
   * Adds a match rule. `stop` is synchronous (no message reaches `listener`
   * after it; the rule itself is removed once it was added); `ready` resolves
   * once the bus has the rule.
   */
  #match(rule: MatchRule, listener: (msg: DbusMessage) => void): Subscription {
    let active = true;
    let remove: (() => Promise<void>) | undefined;
    const ready = this.#conn
      .addMatch(rule, (msg) => {
        if (active) listener(msg);
      })
      .then(
        (r) => {
          remove = r;
          this.#removers.add(r);
          if (!active) void this.#drop(r);
        },
        (error: unknown) => {
          process.emitWarning(`D-Bus match rule failed: ${error instanceof Error ? error.message : String(error)}`, "NovaDbusSubscription");
        },
      );
    this.#pending.add(ready);
    void ready.finally(() => this.#pending.delete(ready));
    return {
      ready,
      stop: () => {
        active = false;
        if (remove !== undefined) void this.#drop(remove);
      },
    };
  }

  async #drop(remove: () => Promise<void>): Promise<void> {
    if (!this.#removers.delete(remove)) return;
    await remove().catch(() => undefined);
  }

  async subscribed(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async close(): Promise<void> {
    await this.subscribed();
    await Promise.all([...this.#removers].map((r) => this.#drop(r)));
    this.#properties.clear();
  }
}
