/**
 * The client side of org.freedesktop.DBus.ObjectManager: list the objects a
 * service manages and follow objects (interfaces) appearing and going away,
 * against any implementation (ours, GDBus, sd-bus, Qt).
 *
 * Values are the JS D-Bus values of runtime/dbus/README.md: each property a
 * `Variant`. To call a listed object, give its path to `dbusProxy(conn, {
 * destination, path, interfaces: [XDbus] })`.
 */
import { IPCError } from "../errors.js";
import type { DbusConnection } from "./connection.js";
import { remoteFailure } from "./dbus-errors.js";
import { OBJECT_MANAGER, type InterfacesAndProperties } from "./object-manager.js";
import { closeReceivedFds } from "./received-fds.js";
import type { DbusMessage } from "./wire/message.js";

export type { InterfacesAndProperties } from "./object-manager.js";

/** Options of {@link objectManagerProxy}. */
export interface ObjectManagerProxyOptions {
  /** The service's bus name (well-known or unique). */
  readonly destination: string;
  /** The path of the object that implements ObjectManager. */
  readonly path: string;
  /** Per-call timeout in milliseconds (default: the connection's). */
  readonly timeoutMs?: number;
}

/** A client of one service's ObjectManager. */
export interface ObjectManagerProxy {
  /** GetManagedObjects: object path → interface → property → value. */
  getManagedObjects(options?: { signal?: AbortSignal }): Promise<Map<string, InterfacesAndProperties>>;
  /** InterfacesAdded: a new object, or new interfaces on one, with their properties. Returns the unsubscribe. */
  onInterfacesAdded(listener: (path: string, interfaces: InterfacesAndProperties) => void): () => void;
  /** InterfacesRemoved: interfaces gone from an object (all of them: the object is gone). Returns the unsubscribe. */
  onInterfacesRemoved(listener: (path: string, interfaces: string[]) => void): () => void;
  /** Resolves once every subscription made so far is active on the bus. */
  subscribed(): Promise<void>;
  /** Removes the match rules (the connection stays open). */
  close(): Promise<void>;
}

/**
 * A client of the ObjectManager at `options.path` of `options.destination`.
 * Subscribe before calling GetManagedObjects (and await `subscribed()`) so
 * that no change between the two is missed, as GDBusObjectManagerClient does.
 */
export function objectManagerProxy(conn: DbusConnection, options: ObjectManagerProxyOptions): ObjectManagerProxy {
  const pending = new Set<Promise<unknown>>();
  const removers = new Set<() => Promise<void>>();
  const site = { iface: OBJECT_MANAGER, member: "" };

  function watch(member: string, signature: string, deliver: (msg: DbusMessage) => void): () => void {
    let active = true;
    let remove: (() => Promise<void>) | undefined;
    const rule = { type: "signal", sender: options.destination, path: options.path, interface: OBJECT_MANAGER, member } as const;
    const ready = conn
      .addMatch(rule, (msg) => {
        // Another signature is not the standard signal: it cannot be read as one.
        if (active && msg.signature === signature) deliver(msg);
        else closeReceivedFds(msg);
      })
      .then((r) => {
        remove = r;
        removers.add(r);
        if (!active) void drop(r);
      });
    pending.add(ready);
    void ready.finally(() => pending.delete(ready)).catch(() => undefined);
    return () => {
      active = false;
      if (remove !== undefined) void drop(remove);
    };
  }

  async function drop(remove: () => Promise<void>): Promise<void> {
    if (!removers.delete(remove)) return;
    await remove().catch(() => undefined);
  }

  return {
    async getManagedObjects(opts = {}) {
      let reply: DbusMessage;
      try {
        reply = await conn.call(
          { destination: options.destination, path: options.path, interface: OBJECT_MANAGER, member: "GetManagedObjects" },
          { timeoutMs: options.timeoutMs, signal: opts.signal },
        );
      } catch (error) {
        throw remoteFailure(error, new Map(), { ...site, member: "GetManagedObjects" });
      }
      if (reply.signature !== "a{oa{sa{sv}}}") {
        closeReceivedFds(reply);
        throw new IPCError("MessageValidationFailed", `GetManagedObjects returned '${reply.signature}', expected 'a{oa{sa{sv}}}'`, {
          context: { ...site, member: "GetManagedObjects", part: "result" },
        });
      }
      return reply.body[0] as Map<string, InterfacesAndProperties>;
    },
    onInterfacesAdded(listener) {
      return watch("InterfacesAdded", "oa{sa{sv}}", (msg) => listener(msg.body[0] as string, msg.body[1] as InterfacesAndProperties));
    },
    onInterfacesRemoved(listener) {
      return watch("InterfacesRemoved", "oas", (msg) => listener(msg.body[0] as string, msg.body[1] as string[]));
    },
    async subscribed() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async close() {
      await this.subscribed().catch(() => undefined);
      await Promise.all([...removers].map((r) => drop(r)));
    },
  };
}
