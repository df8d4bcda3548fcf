/**
 * The base classes generated Wayland bindings extend: {@link WlProxy} (client
 * side: requests are methods, events reach listeners) and {@link WlResource}
 * (server side: events are methods, requests reach an implementation object).
 * Both are {@link WlObject}s living in one {@link WlConnection}'s object map.
 *
 * Generated code only calls the protected `_request`, `_requestNew`,
 * `_destroyAfter`, `_event` and `_eventNew`; object arguments are given as
 * objects (or null) and arrive as objects: the connection turns them into ids
 * on the wire and back. Public base-class members avoid every request and
 * event name of the core protocol (`destroyProxy`, not `destroy`, which is a
 * request of many interfaces).
 */
import { IPCError } from "../errors.js";
import type { WlInterface, WlMessage } from "./descriptor.js";
import type { WlConnection } from "./connection.js";
import { closeFdArgs } from "./wire.js";

/** A class of {@link WlObject}s: what generated classes are, with their descriptor as a static member. */
export interface WlObjectClass<T extends WlObject> {
  new (connection: WlConnection, id: number, version: number): T;
  readonly interface: WlInterface;
}

/** A generated client class (e.g. `WlSurface`). */
export type WlProxyClass<P extends WlProxy> = WlObjectClass<P>;
/** A generated server class (e.g. `WlSurfaceResource`). */
export type WlResourceClass<R extends WlResource> = WlObjectClass<R>;

/** The server's view of one connected client; the server runtime may put a richer object in {@link WlConnection.client}. */
export interface WlClient {
  readonly connection: WlConnection;
}

/**
 * A listener of one event: the decoded arguments, objects resolved. `never[]`
 * so that any listener with typed parameters fits; generated subclasses
 * declare the exact signature per event.
 */
export type WlListener = (...args: never[]) => void;

type AnyListener = (...args: unknown[]) => void;

/** camelCase of a protocol name: `set_input_region` → `setInputRegion`. */
export function camelName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const handlerNames = new WeakMap<WlMessage, string>();

/** The camelCase name of a request, computed once per descriptor (dispatch is a hot path). */
function handlerName(msg: WlMessage): string {
  let name = handlerNames.get(msg);
  if (name === undefined) handlerNames.set(msg, (name = camelName(msg.name)));
  return name;
}

/**
 * One object of a connection: an id, the version agreed for it (a global's
 * bind version, or its parent's) and its interface. Constructing one
 * registers it in the connection's object map under `id` (which must be free
 * there: see {@link ObjectMap.insert}).
 */
export abstract class WlObject {
  readonly id: number;
  readonly version: number;
  readonly iface: WlInterface;
  readonly connection: WlConnection;
  /** Set once the object is destroyed; it then sends nothing and receives nothing. */
  destroyed = false;
  #destroyListeners: (() => void)[] | undefined;

  /**
   * `iface` defaults to the static `interface` of the class being built (generated classes have one);
   * pass it to build a plain WlProxy/WlResource of an interface that has no generated class.
   */
  constructor(connection: WlConnection, id: number, version: number, iface?: WlInterface) {
    const resolved = iface ?? (new.target as unknown as { interface?: WlInterface }).interface;
    if (resolved === undefined) throw new IPCError("InvalidArgument", `${new.target.name} has no interface descriptor (static interface)`);
    if (!Number.isInteger(version) || version < 1) {
      throw new IPCError("InvalidArgument", `${resolved.name}: version must be an integer >= 1, got ${version}`, { context: { interface: resolved.name, version } });
    }
    this.id = id;
    this.version = version;
    this.iface = resolved;
    this.connection = connection;
    connection.objects.insert(this);
  }

  /** Delivers one decoded incoming message (called by the connection, in order). */
  abstract dispatch(opcode: number, args: unknown[]): void;

  /** Runs `listener` once when the object is destroyed (by either side, or when the connection closes). */
  addDestroyListener(listener: () => void): void {
    (this.#destroyListeners ??= []).push(listener);
  }

  /** Marks the object destroyed and runs its destroy listeners (the map is updated by the caller). */
  protected _markDestroyed(): boolean {
    if (this.destroyed) return false;
    this.destroyed = true;
    const listeners = this.#destroyListeners;
    this.#destroyListeners = undefined;
    if (listeners) for (const l of listeners) l();
    return true;
  }

  /** `wl_surface#12`, as libwayland's debug log writes objects. */
  toString(): string {
    return `${this.iface.name}#${this.id}`;
  }
}

/** Index of the first `new_id` argument of `msg`, or -1. */
function newIdIndex(msg: WlMessage): number {
  return msg.args.findIndex((a) => a.type === "new_id");
}

/** Opcode of the message called `name` (protocol or camelCase name) among `messages`, or -1. */
function opcodeOf(messages: readonly WlMessage[], name: string): number {
  const exact = messages.findIndex((m) => m.name === name);
  return exact >= 0 ? exact : messages.findIndex((m) => camelName(m.name) === name);
}

/** A client-side object: send requests, listen to events. */
export class WlProxy extends WlObject {
  #listeners: (WlListener[] | undefined)[] = [];

  /**
   * Listens to an event, named as in the protocol (`global_remove`) or in
   * camelCase (`globalRemove`). Listeners get the decoded arguments: objects
   * as proxies (null for null or for an object this client already destroyed),
   * a `new_id` as the new proxy, strings, numbers, Uint8Array and fds (the
   * listener owns a received fd and must close it).
   */
  on(event: string, listener: WlListener): this {
    const opcode = opcodeOf(this.iface.events, event);
    if (opcode < 0) throw new IPCError("InvalidArgument", `${this.iface.name} has no event "${event}"`, { context: { interface: this.iface.name, event } });
    (this.#listeners[opcode] ??= []).push(listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off(event: string, listener: WlListener): this {
    const list = this.#listeners[opcodeOf(this.iface.events, event)];
    const i = list ? list.indexOf(listener) : -1;
    if (i >= 0) list!.splice(i, 1);
    return this;
  }

  /** Calls the event's listeners (an event nobody listens to has its descriptors closed); a destructor event then destroys the proxy. */
  dispatch(opcode: number, args: unknown[]): void {
    const list = this.#listeners[opcode];
    if (list !== undefined && list.length > 0) {
      if (list.length === 1) (list[0] as AnyListener)(...args);
      else for (const l of list.slice()) (l as AnyListener)(...args);
    } else {
      closeFdArgs(this.iface.events[opcode]!, args);
    }
    if (this.iface.events[opcode]!.destructor) this.destroyProxy();
  }

  /** Sends a request (object arguments as WlObject | null, or raw ids). */
  protected _request(opcode: number, args: readonly unknown[]): void {
    this.connection.send(this, opcode, args);
  }

  /**
   * Sends a request that creates an object: `args` holds a placeholder at the
   * `new_id` position. A typed `new_id` gets the parent's version unless
   * `version` is given; the untyped one (`wl_registry.bind`) needs `version`.
   */
  protected _requestNew<P extends WlProxy>(opcode: number, args: readonly unknown[], ctor: WlProxyClass<P>, version?: number): P {
    const msg = this.iface.requests[opcode];
    const at = msg === undefined ? -1 : newIdIndex(msg);
    if (at < 0) throw new IPCError("InvalidArgument", `${this.iface.name} request ${opcode} creates no object`, { context: { interface: this.iface.name, opcode } });
    const typed = msg!.args[at]!.interface !== undefined;
    const v = version ?? (typed ? this.version : undefined);
    if (v === undefined) throw new IPCError("InvalidArgument", `${this.iface.name}.${msg!.name} needs the version of the ${ctor.interface.name} to create`);
    const proxy = new ctor(this.connection, this.connection.objects.allocate(), v);
    const wireArgs = args.slice();
    wireArgs[at] = typed ? proxy.id : { interface: ctor.interface.name, version: v, id: proxy.id };
    try {
      this.connection.send(this, opcode, wireArgs);
    } catch (e) {
      this.connection.objects.release(proxy);
      throw e;
    }
    return proxy;
  }

  /** Sends a destructor request, then destroys the proxy locally. */
  protected _destroyAfter(opcode: number, args: readonly unknown[]): void {
    this.connection.send(this, opcode, args);
    this.destroyProxy();
  }

  /**
   * Destroys the proxy locally without a request (libwayland's
   * wl_proxy_destroy): its id stays a zombie until the server's delete_id, so
   * events still in flight to it are dropped (their fds closed).
   */
  destroyProxy(): void {
    if (this._markDestroyed()) this.connection.objectDestroyed(this);
  }
}

/** What a resource's requests are dispatched to: handler methods named like the requests (camelCase or protocol name), the resource first. */
export type WlImplementation = object;

/** A server-side object: send events, handle requests. */
export class WlResource extends WlObject {
  /** The handlers of this resource's requests; a request without one is ignored (its descriptors closed; a destructor still destroys). */
  implementation: WlImplementation | undefined;

  /** The client owning the resource. */
  get client(): WlClient {
    return this.connection.client;
  }

  /**
   * Calls the request's handler as `handler(resource, ...args)`: objects as
   * resources, a typed `new_id` as the new resource (of the parent's version;
   * the handler sets its implementation), the untyped one as `{interface,
   * version, id}`. A destructor request then destroys the resource.
   */
  dispatch(opcode: number, args: unknown[]): void {
    const impl = this.implementation as Record<string, unknown> | undefined;
    const msg = this.iface.requests[opcode]!;
    const handler = impl === undefined ? undefined : (impl[handlerName(msg)] ?? impl[msg.name]);
    if (typeof handler === "function") handler.call(impl, this, ...args);
    else closeFdArgs(msg, args);
    if (msg.destructor) this.destroyResource();
  }

  /** Sends an event; a destructor event (e.g. `wl_callback.done`) then destroys the resource. */
  protected _event(opcode: number, args: readonly unknown[]): void {
    this.connection.send(this, opcode, args);
    if (this.iface.events[opcode]?.destructor) this.destroyResource();
  }

  /** Sends an event that creates a server-side object (id ≥ 0xFF000000); `args` holds a placeholder at the `new_id` position. */
  protected _eventNew<R extends WlResource>(opcode: number, args: readonly unknown[], ctor: WlResourceClass<R>, version?: number): R {
    const msg = this.iface.events[opcode];
    const at = msg === undefined ? -1 : newIdIndex(msg);
    if (at < 0) throw new IPCError("InvalidArgument", `${this.iface.name} event ${opcode} creates no object`, { context: { interface: this.iface.name, opcode } });
    const resource = new ctor(this.connection, this.connection.objects.allocate(), version ?? this.version);
    const wireArgs = args.slice();
    wireArgs[at] = resource.id;
    try {
      this.connection.send(this, opcode, wireArgs);
    } catch (e) {
      this.connection.objects.release(resource);
      throw e;
    }
    return resource;
  }

  /** Sends `wl_display.error` about this resource, then disconnects the client (libwayland's wl_resource_post_error). */
  postError(code: number, message: string): void {
    this.connection.postError(this, code, message);
  }

  /**
   * Destroys the resource (libwayland's wl_resource_destroy): destroy
   * listeners run, and a client-allocated id is released with
   * `wl_display.delete_id` so the client may reuse it.
   */
  destroyResource(): void {
    if (this._markDestroyed()) this.connection.objectDestroyed(this);
  }
}

const proxyClasses = new Map<string, WlProxyClass<WlProxy>>();
const resourceClasses = new Map<string, WlResourceClass<WlResource>>();
const interfaces = new Map<string, WlInterface>();

/**
 * Registers generated classes (and their interface) by interface name, so
 * that the runtime builds the right class for a `new_id` it decodes. Generated
 * modules call it on import; a later registration of a name replaces the
 * earlier one.
 */
export function registerWlClasses(proxy?: WlProxyClass<WlProxy>, resource?: WlResourceClass<WlResource>): void {
  if (proxy) {
    proxyClasses.set(proxy.interface.name, proxy);
    interfaces.set(proxy.interface.name, proxy.interface);
  }
  if (resource) {
    resourceClasses.set(resource.interface.name, resource);
    interfaces.set(resource.interface.name, resource.interface);
  }
}

/** Registers an interface descriptor that has no generated class (plain WlProxy/WlResource objects are built for it). */
export function registerWlInterface(iface: WlInterface): void {
  if (!interfaces.has(iface.name)) interfaces.set(iface.name, iface);
}

/** The registered descriptor of an interface, by name. */
export function lookupWlInterface(name: string): WlInterface | undefined {
  return interfaces.get(name);
}

/** The registered client class of an interface, by name. */
export function proxyClassFor(name: string): WlProxyClass<WlProxy> | undefined {
  return proxyClasses.get(name);
}

/** The registered server class of an interface, by name. */
export function resourceClassFor(name: string): WlResourceClass<WlResource> | undefined {
  return resourceClasses.get(name);
}
