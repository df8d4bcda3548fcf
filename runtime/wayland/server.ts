/**
 * The Wayland server runtime: accept clients on a display socket, serve wl_display (sync,
 * get_registry) and wl_registry (globals advertised and removed, bind with version checks),
 * and hand each bound global's resource to its owner.
 *
 * As in libwayland: a client's errors are its own (`postError` sends wl_display.error and
 * disconnects that client only); a client that vanishes mid-write (EPIPE, ECONNRESET) is just
 * a disconnect; destroying a resource the client created sends wl_display.delete_id so the
 * client may reuse the id (the connection does it, see proxy.ts); a removed global still
 * accepts binds that were already on the way (libwayland's wl_global_remove), so a racing
 * client is not killed for it.
 */
import { IPCError } from "../errors.js";
import { WlConnection } from "./connection.js";
import { WL_DISPLAY_ID } from "./descriptor.js";
import { listenDisplay, type DisplaySocket } from "./display-socket.js";
import type { WlClient, WlResource, WlResourceClass } from "./proxy.js";
import { WlCallbackResource, WlDisplayError, WlDisplayResource, WlRegistryResource } from "./protocols/wayland.js";

/** What {@link WaylandServer.addGlobal} registers. */
interface ServerGlobal {
  readonly name: number;
  readonly cls: WlResourceClass<WlResource>;
  readonly version: number;
  readonly bind: (resource: WlResource) => void;
  removed: boolean;
}

/** One connected client. */
export class ServerClient implements WlClient {
  readonly connection: WlConnection;
  /** Its wl_display (object 1). */
  readonly display: WlDisplayResource;
  /** Its wl_registry objects (a client may ask for several). */
  readonly registries = new Set<WlRegistryResource>();
  /** Resolves when it disconnects, with the error that ended it (a protocol error it made, a socket error) or undefined. */
  readonly closed: Promise<IPCError | undefined>;

  constructor(server: WaylandServer, fd: number) {
    this.connection = new WlConnection(fd, "server");
    this.connection.client = this;
    this.closed = new Promise((resolve) => this.connection.onClose(resolve));
    this.display = new WlDisplayResource(this.connection, WL_DISPLAY_ID, 1);
    this.display.implementation = {
      sync: (_display: WlDisplayResource, callback: WlCallbackResource) => callback.sendDone(server.nextSerial()),
      get_registry: (_display: WlDisplayResource, registry: WlRegistryResource) => server.serveRegistry(this, registry),
    };
  }

  /** Disconnects the client (its resources are destroyed, their destroy listeners run). */
  disconnect(): void {
    this.connection.close();
  }
}

/** Options of {@link WaylandServer.listen}. */
export interface ListenOptions {
  /** Display name under XDG_RUNTIME_DIR, or an absolute path; default the first free wayland-N. */
  readonly display?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A Wayland compositor's protocol core; see the file comment. */
export class WaylandServer {
  readonly #globals = new Map<number, ServerGlobal>();
  readonly #clients = new Set<ServerClient>();
  #nextName = 1;
  #serial = 0;
  #socket: DisplaySocket | undefined;

  /** A server listening on a display socket (see display-socket.ts for the name and the lock). */
  static async listen(options: ListenOptions = {}): Promise<WaylandServer> {
    const server = new WaylandServer();
    server.#socket = await listenDisplay({ name: options.display, env: options.env, onConnection: (fd) => server.addClient(fd) });
    return server;
  }

  /** The listening socket, when {@link listen} made one. */
  get socket(): DisplaySocket | undefined {
    return this.#socket;
  }

  /** The connected clients. */
  get clients(): ReadonlySet<ServerClient> {
    return this.#clients;
  }

  /** A fresh event serial (wl_display_next_serial): configure events, callback data. */
  nextSerial(): number {
    this.#serial = (this.#serial + 1) >>> 0;
    return this.#serial;
  }

  /** Serves a connected socket (accepted here, or one end of a socketpair handed over by a parent). */
  addClient(fd: number): ServerClient {
    const client = new ServerClient(this, fd);
    this.#clients.add(client);
    void client.closed.then(() => this.#clients.delete(client));
    return client;
  }

  /**
   * Advertises a global of `cls`'s interface at `version` (≤ what the bindings know) to every
   * registry, current and future; `bind` gets each resource a client binds (its version is the
   * one the client asked for, checked against `version`) and sets its implementation. Returns
   * the global's name.
   */
  addGlobal<R extends WlResource>(cls: WlResourceClass<R>, version: number, bind: (resource: R) => void): number {
    if (!Number.isInteger(version) || version < 1 || version > cls.interface.version) {
      throw new IPCError("InvalidArgument", `${cls.interface.name}: global version must be 1..${cls.interface.version}, got ${version}`, {
        context: { interface: cls.interface.name, version },
      });
    }
    const global: ServerGlobal = { name: this.#nextName++, cls, version, bind: bind as (resource: WlResource) => void, removed: false };
    this.#globals.set(global.name, global);
    for (const client of this.#clients) for (const registry of client.registries) registry.sendGlobal(global.name, cls.interface.name, version);
    return global.name;
  }

  /** Withdraws a global: wl_registry.global_remove to every registry; binds already on the way still succeed. */
  removeGlobal(name: number): void {
    const global = this.#globals.get(name);
    if (global === undefined || global.removed) return;
    global.removed = true;
    for (const client of this.#clients) for (const registry of client.registries) registry.sendGlobalRemove(name);
  }

  /** The advertised globals: name, interface, version (what wayland-info would list). */
  globals(): { name: number; interface: string; version: number }[] {
    return [...this.#globals.values()].filter((g) => !g.removed).map((g) => ({ name: g.name, interface: g.cls.interface.name, version: g.version }));
  }

  /** wl_display.get_registry: every current global, then binds. */
  serveRegistry(client: ServerClient, registry: WlRegistryResource): void {
    client.registries.add(registry);
    registry.addDestroyListener(() => client.registries.delete(registry));
    registry.implementation = {
      bind: (_registry: WlRegistryResource, name: number, id: { interface: string; version: number; id: number }) => this.#bind(registry, name, id),
    };
    for (const g of this.#globals.values()) if (!g.removed) registry.sendGlobal(g.name, g.cls.interface.name, g.version);
  }

  #bind(registry: WlRegistryResource, name: number, id: { interface: string; version: number; id: number }): void {
    const global = this.#globals.get(name);
    if (global === undefined || global.cls.interface.name !== id.interface) {
      registry.postError(WlDisplayError.invalid_object, `invalid global ${id.interface} (${name})`);
      return;
    }
    if (id.version < 1 || id.version > global.version) {
      registry.postError(WlDisplayError.invalid_object, `invalid version for global ${id.interface} (${name}): have ${global.version}, wanted ${id.version}`);
      return;
    }
    let resource: WlResource;
    try {
      resource = new global.cls(registry.connection, id.id, id.version);
    } catch (e) {
      registry.postError(WlDisplayError.invalid_object, e instanceof Error ? e.message : String(e));
      return;
    }
    global.bind(resource);
  }

  /** Stops listening (socket and lock removed) and disconnects every client. */
  async close(): Promise<void> {
    await this.#socket?.close();
    for (const client of [...this.#clients]) client.disconnect();
  }
}
