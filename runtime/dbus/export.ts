/**
 * Serving generated server skeletons on D-Bus: {@link exportService} gives an
 * {@link RpcServerPort} over a {@link DbusConnection}, so the unchanged
 * `registerCalculator(port, impl)` answers `gdbus call`, `busctl` and any
 * other D-Bus peer.
 *
 * Each registered interface is served at the object path given to
 * `exportService` or, without one, its `@dbus(path = …)`. Per call this layer
 * converts the D-Bus body to NIDL values with the descriptor's type tree,
 * runs the skeleton's handler (which validates the arguments with the
 * generated zod schemas) and converts the result back; failures become D-Bus
 * errors (runtime/dbus/dbus-errors.ts). It also answers
 * org.freedesktop.DBus.Properties (Get, Set, GetAll, and PropertiesChanged
 * as each property's EmitsChangedSignal says) and Introspectable (the
 * generated XML itself); the connection answers Peer. Every served interface
 * is also entered in the connection's object tree (object-manager.ts), which
 * answers ObjectManager where an interface asks for it and gives Introspect
 * the objects of every port.
 */
import { IPCError } from "../errors.js";
import { PROPERTY_CHANGED, type CallContext, type Registration, type RpcServerPort, type ServiceDefinition } from "../rpc/contract.js";
import { NameFlags } from "./bus-names.js";
import type { DbusConnection } from "./connection.js";
import { argsFromDbus, argsToDbus, toDbus } from "./convert.js";
import { DbusErrorNames } from "./dbus-errors.js";
import { CallAnswer } from "./export-answer.js";
import { byNidlName, type IndexedDescriptor } from "./descriptor-index.js";
import type { DbusDeclaredError, DbusInterfaceDescriptor, DbusMethod } from "./descriptor.js";
import { childNodes, introspectionXml } from "./introspect.js";
import { servePropertiesCall } from "./export-properties.js";
import { objectTree, type ObjectTree } from "./object-manager.js";
import { closeReceivedFds } from "./received-fds.js";
import type { DbusMessage } from "./wire/message.js";
import { Variant } from "./wire/variant.js";

const INTROSPECTABLE = "org.freedesktop.DBus.Introspectable";
const PROPERTIES = "org.freedesktop.DBus.Properties";
const BUS = "org.freedesktop.DBus";
const PEER = "org.freedesktop.DBus.Peer";
/** Calls answered before an interface is known declare no errors. */
const NO_ERRORS: ReadonlyMap<string, DbusDeclaredError> = new Map();

/** Options of {@link exportService}. */
export interface ExportOptions {
  /** The generated descriptors (`CalculatorDbus`, …) of every interface that will be registered on the port. */
  readonly interfaces: readonly DbusInterfaceDescriptor[];
  /** The object path of every interface registered on this port; default: each interface's `@dbus(path = …)`. */
  readonly path?: string;
  /** A well-known name to request once the port is set up (`org.novade.demo.Calculator`). */
  readonly name?: string;
  /** RequestName flags (`NameFlags` of runtime/dbus/bus-names.ts): allow replacement, replace existing, do not queue. */
  readonly nameFlags?: number;
}

/** See {@link DbusServerPort.nameState}. */
export type NameState = "primary" | "in_queue" | "already_owner" | "lost";

/** One interface being served at one path. */
export interface ServedInterface {
  readonly index: IndexedDescriptor;
  readonly service: ServiceDefinition;
  readonly path: string;
}

/** An {@link RpcServerPort} on a bus connection. */
export interface DbusServerPort extends RpcServerPort {
  /**
   * Where the requested name stands: "primary" (owned), "in_queue" (waiting for the owner to go),
   * "already_owner", "lost" (taken over by a REPLACE_EXISTING request while DO_NOT_QUEUE was given);
   * undefined without `name`. Kept current from the bus's NameAcquired / NameLost.
   */
  readonly nameState: NameState | undefined;
  /** Stops serving every interface and releases the name (the connection stays open). */
  close(): Promise<void>;
}

/**
 * Exports a server port on `conn`; register the generated skeletons on it
 * right after (`registerX(port, impl)`). With `name`, the name is requested
 * here: a call that reaches a path of this port before its interface is
 * registered waits for the end of the tick, so the first call through the
 * name is answered. When the bus answers "exists" (the name is owned and `DO_NOT_QUEUE` was
 * given) the promise rejects with IPCError `EndpointUnreachable` and nothing
 * stays exported.
 */
export async function exportService(conn: DbusConnection, options: ExportOptions): Promise<DbusServerPort> {
  const port = new ExportedPort(conn, options);
  if (options.name !== undefined) {
    await port.watchName(options.name, options.nameFlags ?? 0);
    const state = await conn.requestName(options.name, options.nameFlags ?? 0);
    if (state === "exists") {
      await port.close();
      throw new IPCError("EndpointUnreachable", `the bus name ${options.name} is owned by another connection and queueing was not allowed`, {
        context: { name: options.name },
      });
    }
    port.nameState = state;
  }
  return port;
}

class ExportedPort implements DbusServerPort {
  nameState: DbusServerPort["nameState"];
  readonly #conn: DbusConnection;
  readonly #options: ExportOptions;
  readonly #descriptors: Map<string, IndexedDescriptor>;
  /** path → D-Bus interface name → served interface. */
  readonly #objects = new Map<string, Map<string, ServedInterface>>();
  readonly #byNidl = new Map<string, ServedInterface>();
  readonly #removeHandler: () => void;
  readonly #nameWatches: (() => Promise<void>)[] = [];
  /** Aborted on close: the CallContext signal of every call in progress. */
  readonly #closing = new AbortController();
  /** Paths this port will serve once its interfaces are registered. */
  readonly #expectedPaths: ReadonlySet<string>;
  /** ObjectManager hook: what this port serves, shared with the connection's other ports. */
  readonly #tree: ObjectTree;

  constructor(conn: DbusConnection, options: ExportOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#descriptors = byNidlName(options.interfaces);
    const paths = options.path !== undefined ? [options.path] : options.interfaces.map((d) => d.path);
    this.#expectedPaths = new Set(paths.filter((p): p is string => p !== undefined));
    this.#tree = objectTree(conn);
    this.#removeHandler = conn.onMethodCall((msg) => this.#onCall(msg) || this.#deferEarly(msg));
  }

  /**
   * A call for a path this port is about to serve, arriving before its interface is registered:
   * `exportService` resolves once the bus name is ours, and the caller registers right after, so
   * a client that called at once (the name's owner change is public) would otherwise get
   * UnknownObject. Such a call is looked at again after the current tick's continuations.
   */
  #deferEarly(msg: DbusMessage): boolean {
    const path = msg.path ?? "";
    if (!this.#expectedPaths.has(path) || this.#objects.has(path) || msg.interface === PEER || this.#closing.signal.aborted) return false;
    setImmediate(() => {
      if (this.#onCall(msg)) return;
      new CallAnswer(this.#conn, msg, NO_ERRORS).reject(DbusErrorNames.unknownObject, `No object at path '${msg.path ?? ""}'`);
    });
    return true;
  }

  /** Follows NameAcquired / NameLost for `name` (signals the bus sends to the owner and the queued). */
  async watchName(name: string, flags: number): Promise<void> {
    const rule = (member: string) => ({ type: "signal", sender: BUS, interface: BUS, member, args: [name] }) as const;
    this.#nameWatches.push(
      await this.#conn.addMatch(rule("NameAcquired"), () => (this.nameState = "primary")),
      await this.#conn.addMatch(rule("NameLost"), () => (this.nameState = (flags & NameFlags.DO_NOT_QUEUE) !== 0 ? "lost" : "in_queue")),
    );
  }

  register(service: ServiceDefinition): Registration {
    const index = this.#descriptors.get(service.iface);
    if (index === undefined) {
      throw new IPCError("InvalidArgument", `no D-Bus descriptor for ${service.iface}: pass its generated …Dbus descriptor in exportService's interfaces`, {
        context: { iface: service.iface },
      });
    }
    const path = this.#options.path ?? index.descriptor.path;
    if (path === undefined) {
      throw new IPCError("InvalidArgument", `${service.iface} has no @dbus(path = …): give exportService a path`, { context: { iface: service.iface } });
    }
    if (this.#byNidl.has(service.iface)) {
      throw new IPCError("HandlerAlreadyRegistered", `${service.iface} is already served on this port`, { context: { iface: service.iface } });
    }
    const served: ServedInterface = { index, service, path };
    let object = this.#objects.get(path);
    if (object === undefined) this.#objects.set(path, (object = new Map()));
    object.set(index.descriptor.interface, served);
    this.#byNidl.set(service.iface, served);
    this.#tree.add(served, (s, member) => this.#context(s, member));
    let done = false;
    return {
      unregister: () => {
        if (done) return;
        done = true;
        this.#byNidl.delete(service.iface);
        this.#tree.remove(served);
        object.delete(index.descriptor.interface);
        if (object.size === 0) this.#objects.delete(path);
      },
    };
  }

  emit(iface: string, member: string, args: readonly unknown[]): void {
    const served = this.#byNidl.get(iface);
    if (served === undefined) {
      throw new IPCError("InvalidArgument", `${iface} is not served on this port`, { context: { iface, member } });
    }
    const d = served.index.descriptor;
    if (member === PROPERTY_CHANGED) return this.#propertyChanged(served, args);
    const signal = served.index.signalByMember.get(member);
    if (signal === undefined) throw new IPCError("InvalidArgument", `${iface} has no signal ${member}`, { context: { iface, member } });
    this.#conn.emitSignal(served.path, d.interface, signal.name, signal.signature, argsToDbus(signal.args, args));
  }

  /** `[name, value]` from an emitter → PropertiesChanged, as the property's EmitsChangedSignal says. */
  #propertyChanged(served: ServedInterface, args: readonly unknown[]): void {
    const property = served.index.propertyByMember.get(String(args[0]));
    if (property === undefined) {
      throw new IPCError("InvalidArgument", `${served.service.iface} has no property ${String(args[0])}`, { context: { iface: served.service.iface } });
    }
    let changed = new Map<string, Variant>();
    let invalidated: string[] = [];
    if (property.emitsChanged === "true") changed = new Map([[property.name, new Variant(property.signature, toDbus(property.type, args[1]))]]);
    else if (property.emitsChanged === "invalidates") invalidated = [property.name];
    // "const" and "false": peers were told not to expect a signal.
    else return;
    this.#conn.emitSignal(served.path, PROPERTIES, "PropertiesChanged", "sa{sv}as", [served.index.descriptor.interface, changed, invalidated]);
  }

  /** The connection's method-call hook: returns false for calls that are not ours. */
  #onCall(msg: DbusMessage): boolean {
    const path = msg.path ?? "";
    const object = this.#objects.get(path);
    if (msg.interface === INTROSPECTABLE && msg.member === "Introspect") {
      // The connection-wide tree: objects below a manager are usually served by ports of their own.
      const children = childNodes(path, this.#tree.paths());
      const interfaces = this.#tree.interfacesAt(path);
      if (interfaces.length === 0 && children.length === 0) return false;
      new CallAnswer(this.#conn, msg, NO_ERRORS).ok("s", [introspectionXml(interfaces, children)]);
      return true;
    }
    if (object === undefined) return false;
    if (msg.interface === PROPERTIES) {
      servePropertiesCall(msg, this.#conn, object, this.#context.bind(this));
      return true;
    }
    const served = msg.interface === undefined ? [...object.values()].find((s) => s.index.methodByName.has(msg.member ?? "")) : object.get(msg.interface);
    if (served === undefined) {
      // Peer (and anything else) falls through to the connection.
      if (msg.interface?.startsWith("org.freedesktop.DBus.")) return false;
      new CallAnswer(this.#conn, msg, NO_ERRORS).reject(DbusErrorNames.unknownInterface, `No such interface '${msg.interface ?? ""}' at object path '${path}'`);
      return true;
    }
    const answer = new CallAnswer(this.#conn, msg, served.index.errorByNidlName);
    const method = served.index.methodByName.get(msg.member ?? "");
    if (method === undefined) {
      answer.reject(DbusErrorNames.unknownMethod, `No such method '${msg.member ?? ""}' in interface '${served.index.descriptor.interface}' at object path '${path}'`);
      return true;
    }
    this.#invoke(served, method, msg, answer);
    return true;
  }

  #context(served: ServedInterface, member: string): CallContext {
    return { iface: served.service.iface, member, signal: this.#closing.signal };
  }

  /**
   * Runs a method. A @oneway (NoReply) method still answers a caller that did not set
   * NO_REPLY_EXPECTED (`gdbus call` and `busctl call` wait for one); nothing goes to one that did.
   */
  #invoke(served: ServedInterface, method: DbusMethod, msg: DbusMessage, answer: CallAnswer): void {
    if (msg.signature !== method.inSignature) {
      answer.reject(DbusErrorNames.invalidArgs, `Type of message, '(${msg.signature})', does not match expected type '(${method.inSignature})'`);
      return;
    }
    const entry = served.service.methods[method.member];
    if (entry === undefined) {
      answer.reject(DbusErrorNames.unknownMethod, `${served.service.iface}.${method.member} is not implemented`);
      return;
    }
    let args: unknown[];
    try {
      args = argsFromDbus(method.in, msg.body);
    } catch (failure) {
      closeReceivedFds(msg);
      answer.fail(failure);
      return;
    }
    let result: unknown;
    try {
      result = entry.handler(args, this.#context(served, method.member));
    } catch (failure) {
      answer.fail(failure);
      return;
    }
    const finish = (value: unknown): void => {
      if (!answer.wanted) return;
      let body: unknown[];
      try {
        body = argsToDbus(method.out, method.out.length === 1 ? [value] : method.out.length === 0 ? [] : (value as unknown[]));
      } catch (failure) {
        answer.fail(failure);
        return;
      }
      answer.ok(method.outSignature, body);
    };
    if (result instanceof Promise) result.then(finish, (failure: unknown) => answer.fail(failure));
    else finish(result);
  }

  async close(): Promise<void> {
    this.#removeHandler();
    this.#closing.abort(new IPCError("ChannelClosed", "the D-Bus export was closed"));
    for (const served of this.#byNidl.values()) this.#tree.remove(served);
    this.#objects.clear();
    this.#byNidl.clear();
    for (const remove of this.#nameWatches.splice(0)) await remove();
    if (this.nameState !== undefined && this.#options.name !== undefined) {
      this.nameState = undefined;
      await this.#conn.releaseName(this.#options.name);
    }
  }
}
