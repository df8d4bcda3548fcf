/**
 * The Wayland client runtime: connect to a compositor, keep its list of globals, bind them with
 * version negotiation, and round-trip. Everything runs on the event loop: events are dispatched
 * as the connection reads them, never by blocking (there is no wl_display_dispatch loop to run).
 *
 * A `wl_display.error` from the compositor (or a malformed event) is fatal, as in libwayland: the
 * connection closes, pending round trips reject with that ProtocolError and
 * {@link WaylandClient.closed} resolves with it; a compositor that goes away is ChannelClosed.
 */
import { IPCError } from "../errors.js";
import { WlConnection } from "./connection.js";
import { connectDisplay } from "./display-socket.js";
import { WL_DISPLAY_ID } from "./descriptor.js";
import type { WlProxy, WlProxyClass } from "./proxy.js";
import { WlDisplay, WlRegistry } from "./protocols/wayland.js";

/**
 * Resolves with the arguments of the next `event` of `proxy` (a promise-shaped listener, for code
 * that waits for one configure or one frame callback). It never rejects: race it against
 * {@link WaylandClient.closed} or a round trip when the event may never come.
 */
export function nextEvent<T extends unknown[]>(proxy: WlProxy, event: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (...args: unknown[]): void => {
      proxy.off(event, listener);
      resolve(args as T);
    };
    proxy.on(event, listener);
  });
}

/** One global as the compositor advertised it. */
export interface GlobalInfo {
  /** The registry's numeric name of the global (what bind takes). */
  readonly name: number;
  readonly interface: string;
  readonly version: number;
}

/** Options of {@link WaylandClient.connect}. */
export interface ConnectOptions {
  /** Display name or absolute socket path; WAYLAND_SOCKET, when set, wins over it, and without it WAYLAND_DISPLAY, else wayland-0 (see display-socket.ts). */
  readonly display?: string;
  /** Where the variables are read (default process.env); a WAYLAND_SOCKET used is deleted from it, as libwayland does. */
  readonly env?: NodeJS.ProcessEnv;
  /** Limit for connecting and for the first round trip, ms (default 5000). */
  readonly timeoutMs?: number;
}

/** A connection to a compositor with its registry; see the file comment. */
export class WaylandClient {
  readonly connection: WlConnection;
  /** wl_display, object 1. */
  readonly display: WlDisplay;
  /** The registry this client keeps its global list from. */
  readonly registry: WlRegistry;
  /** Resolves when the connection ends: with the error that ended it, or undefined after {@link close}. */
  readonly closed: Promise<IPCError | undefined>;
  readonly #globals = new Map<number, GlobalInfo>();
  readonly #pending = new Set<(error: IPCError) => void>();
  #error: IPCError | undefined;
  #ended = false;
  #resolveClosed!: (error: IPCError | undefined) => void;

  /**
   * Connects (see {@link ConnectOptions.display}), asks for the registry and waits one round
   * trip, so {@link globals} is complete when this resolves.
   */
  static async connect(options: ConnectOptions = {}): Promise<WaylandClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const fd = await connectDisplay(options.display, { env: options.env, timeoutMs });
    const client = new WaylandClient(new WlConnection(fd, "client"));
    try {
      await client.roundtrip(timeoutMs);
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** Wraps a connection that has sent nothing yet (connect() does this for you). */
  constructor(connection: WlConnection) {
    this.connection = connection;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.display = new WlDisplay(connection, WL_DISPLAY_ID, 1);
    // The connection itself turns wl_display.error (and a malformed event) into its close error.
    connection.onClose((error) => this.#end(error));
    this.registry = this.display.getRegistry();
    this.registry.on("global", (name: number, iface: string, version: number) => this.#globals.set(name, { name, interface: iface, version }));
    this.registry.on("global_remove", (name: number) => this.#globals.delete(name));
  }

  /** The current globals, in the order they were advertised. */
  globals(): GlobalInfo[] {
    return [...this.#globals.values()];
  }

  /** The first global of an interface, or undefined. */
  find(iface: string): GlobalInfo | undefined {
    for (const g of this.#globals.values()) if (g.interface === iface) return g;
    return undefined;
  }

  /**
   * Binds the first global of `cls`'s interface at the lower of the advertised version, `wanted`
   * and the version the bindings know (libwayland clients do the same min by hand). Throws
   * ProtocolNotRegistered when the compositor has no such global.
   */
  bind<P extends WlProxy>(cls: WlProxyClass<P>, wanted: number = cls.interface.version): P {
    const global = this.find(cls.interface.name);
    if (global === undefined) {
      throw new IPCError("ProtocolNotRegistered", `the compositor has no ${cls.interface.name} global`, { context: { interface: cls.interface.name } });
    }
    return this.registry.bind(global.name, cls, Math.min(global.version, wanted, cls.interface.version));
  }

  /**
   * wl_display.sync and its wl_callback.done: resolves once the compositor has handled every
   * request sent before, and this client every event sent before the done. Rejects with the
   * connection's error, or TimeoutExpired after `timeoutMs`.
   */
  roundtrip(timeoutMs = 5000): Promise<void> {
    if (this.#ended) return Promise.reject(this.#error ?? new IPCError("ChannelClosed", "the Wayland connection is closed"));
    return new Promise<void>((resolve, reject) => {
      const fail = (error: IPCError): void => {
        clearTimeout(timer);
        this.#pending.delete(fail);
        reject(error);
      };
      const timer = setTimeout(() => fail(new IPCError("TimeoutExpired", `no wl_callback.done within ${timeoutMs} ms`, { context: { timeoutMs } })), timeoutMs);
      this.#pending.add(fail);
      this.display.sync().on("done", () => {
        clearTimeout(timer);
        this.#pending.delete(fail);
        resolve();
      });
      this.connection.flush();
    });
  }

  /** Disconnects (pending round trips reject with ChannelClosed). Idempotent. */
  close(): void {
    this.#end(undefined);
  }

  #end(error: IPCError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.connection.close(error);
    const failure = error ?? new IPCError("ChannelClosed", "the Wayland connection was closed");
    for (const fail of [...this.#pending]) fail(failure);
    this.#resolveClosed(error);
  }
}
