/**
 * The proxy's side of org.freedesktop.DBus.Properties: Get and Set, observers
 * of PropertiesChanged, and a cache of property values.
 *
 * A value is cached only when the service promises to announce its changes
 * (EmitsChangedSignal "true") or that it never changes ("const"), and only
 * once the proxy listens to PropertiesChanged of that object, so a cached
 * value is always current: PropertiesChanged replaces it, an invalidation or
 * the service's name changing owner or the connection reconnecting drops it. "invalidates" and "false"
 * properties are read from the service every time. An observer of an
 * "invalidates" property gets the new value read with Get after each
 * invalidation.
 */
import { IPCError } from "../errors.js";
import type { DbusConnection } from "./connection.js";
import { fromDbus, toDbus } from "./convert.js";
import type { IndexedDescriptor } from "./descriptor-index.js";
import type { DbusProperty } from "./descriptor.js";
import type { MatchRule } from "./match-rule.js";
import { remoteFailure } from "./dbus-errors.js";
import { closeReceivedFds } from "./received-fds.js";
import type { DbusMessage } from "./wire/message.js";
import { Variant } from "./wire/variant.js";

const PROPERTIES = "org.freedesktop.DBus.Properties";

/** A match rule being added: `stop` ends delivery at once, `ready` resolves once the bus has the rule. */
export interface Subscription {
  readonly ready: Promise<void>;
  readonly stop: () => void;
}

/** Adds a match rule (the proxy's, so that `subscribed()` and `close()` cover it). */
export type AddMatch = (rule: MatchRule, listener: (msg: DbusMessage) => void) => Subscription;

type Observer = (args: readonly unknown[]) => void;

interface ObjectWatch {
  readonly subscription: Subscription;
  /** `<D-Bus interface>\0<property>` → NIDL value. */
  readonly values: Map<string, unknown>;
  /** D-Bus interface → its descriptor and observers. */
  readonly observers: Map<string, { index: IndexedDescriptor; listeners: Set<Observer> }>;
}

type CallOpts = { timeoutMs?: number | undefined; signal?: AbortSignal | undefined };

/** Properties of the objects of one service, as seen by one proxy. */
export class PropertyCache {
  readonly #conn: DbusConnection;
  readonly #destination: string;
  readonly #match: AddMatch;
  readonly #objects = new Map<string, ObjectWatch>();
  #ownerWatch: Subscription | undefined;
  /** After a reconnect, changes may have been missed: nothing cached before it holds. */
  readonly #forget = (): void => {
    for (const w of this.#objects.values()) w.values.clear();
  };

  constructor(conn: DbusConnection, destination: string, match: AddMatch) {
    this.#conn = conn;
    this.#destination = destination;
    this.#match = match;
    conn.on("reconnected", this.#forget);
  }

  /** Starts listening to PropertiesChanged of `path` (once per path) and to the service changing owner. */
  #watch(path: string): ObjectWatch {
    let watch = this.#objects.get(path);
    if (watch !== undefined) return watch;
    const values = new Map<string, unknown>();
    const observers: ObjectWatch["observers"] = new Map();
    const subscription = this.#match({ type: "signal", sender: this.#destination, path, interface: PROPERTIES, member: "PropertiesChanged" }, (msg) =>
      this.#changed(path, msg),
    );
    watch = { subscription, values, observers };
    this.#objects.set(path, watch);
    this.#ownerWatch ??= this.#match(
      { type: "signal", sender: "org.freedesktop.DBus", interface: "org.freedesktop.DBus", member: "NameOwnerChanged", args: [this.#destination] },
      // A new owner is a new service instance: nothing cached from the old one holds.
      this.#forget,
    );
    return watch;
  }

  #changed(path: string, msg: DbusMessage): void {
    const watch = this.#objects.get(path);
    if (watch === undefined || msg.signature !== "sa{sv}as") return;
    const [iface, changed, invalidated] = msg.body as [string, Map<string, Variant>, string[]];
    const entry = watch.observers.get(iface);
    const index = entry?.index;
    for (const [name, variant] of changed) {
      watch.values.delete(`${iface}\0${name}`);
      const property = index?.propertyByName.get(name);
      if (property === undefined || variant.signature !== property.signature) continue;
      const value = fromDbus(property.type, variant.value);
      if (cacheable(property)) watch.values.set(`${iface}\0${name}`, value);
      for (const listener of entry?.listeners ?? []) listener([property.member, value]);
    }
    for (const name of invalidated) {
      watch.values.delete(`${iface}\0${name}`);
      const property = index?.propertyByName.get(name);
      if (property === undefined || entry === undefined || entry.listeners.size === 0 || property.access === "write") continue;
      this.#fetch(entry.index, path, property, {}).then(
        (value) => {
          for (const listener of entry.listeners) listener([property.member, value]);
        },
        () => undefined,
      );
    }
  }

  /** Reads a property: from the cache when it holds it, else with Properties.Get. */
  async get(index: IndexedDescriptor, path: string, member: string, opts: CallOpts): Promise<unknown> {
    const property = this.#property(index, member, "read");
    if (!cacheable(property)) return this.#fetch(index, path, property, opts);
    const watch = this.#watch(path);
    this.#registerIndex(watch, index);
    await watch.subscription.ready;
    const key = `${index.descriptor.interface}\0${property.name}`;
    if (watch.values.has(key)) return watch.values.get(key);
    const value = await this.#fetch(index, path, property, opts);
    // Only while the watch stands: PropertiesChanged keeps the entry current.
    if (this.#objects.get(path) === watch) watch.values.set(key, value);
    return value;
  }

  async #fetch(index: IndexedDescriptor, path: string, property: DbusProperty, opts: CallOpts): Promise<unknown> {
    const site = { iface: index.descriptor.nidlName, member: property.member };
    let reply: DbusMessage;
    try {
      reply = await this.#conn.call(
        { destination: this.#destination, path, interface: PROPERTIES, member: "Get", signature: "ss", body: [index.descriptor.interface, property.name] },
        opts,
      );
    } catch (error) {
      throw remoteFailure(error, index.errorByName, site);
    }
    const variant = reply.body[0];
    if (reply.signature !== "v" || !(variant instanceof Variant) || variant.signature !== property.signature) {
      closeReceivedFds(reply);
      throw new IPCError("MessageValidationFailed", `property ${property.name} of ${index.descriptor.interface} is not a '${property.signature}'`, {
        context: { ...site, part: "property" },
      });
    }
    return fromDbus(property.type, variant.value);
  }

  /** Writes a property with Properties.Set (the service announces the change, if it does, with PropertiesChanged). */
  async set(index: IndexedDescriptor, path: string, member: string, value: unknown, opts: CallOpts): Promise<void> {
    const property = this.#property(index, member, "write");
    const body = [index.descriptor.interface, property.name, new Variant(property.signature, toDbus(property.type, value))];
    try {
      await this.#conn.call({ destination: this.#destination, path, interface: PROPERTIES, member: "Set", signature: "ssv", body }, opts);
    } catch (error) {
      throw remoteFailure(error, index.errorByName, { iface: index.descriptor.nidlName, member });
    }
  }

  /** Delivers `[member, value]` for every announced change of the interface's properties; returns the unsubscribe. */
  observe(index: IndexedDescriptor, path: string, listener: Observer): () => void {
    const watch = this.#watch(path);
    const entry = this.#registerIndex(watch, index);
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  #registerIndex(watch: ObjectWatch, index: IndexedDescriptor): { index: IndexedDescriptor; listeners: Set<Observer> } {
    let entry = watch.observers.get(index.descriptor.interface);
    if (entry === undefined) watch.observers.set(index.descriptor.interface, (entry = { index, listeners: new Set() }));
    return entry;
  }

  #property(index: IndexedDescriptor, member: string, need: "read" | "write"): DbusProperty {
    const property = index.propertyByMember.get(member);
    if (property === undefined || property.access === (need === "read" ? "write" : "read")) {
      throw new IPCError("MethodNotFound", `${index.descriptor.nidlName} has no ${need === "read" ? "readable" : "writable"} property ${member}`, {
        context: { iface: index.descriptor.nidlName, member },
      });
    }
    return property;
  }

  /** Stops watching and forgets every value. */
  clear(): void {
    this.#conn.off("reconnected", this.#forget);
    for (const watch of this.#objects.values()) watch.subscription.stop();
    this.#objects.clear();
    this.#ownerWatch?.stop();
    this.#ownerWatch = undefined;
  }
}

function cacheable(property: DbusProperty): boolean {
  return property.emitsChanged === "true" || property.emitsChanged === "const";
}

