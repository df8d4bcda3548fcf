/**
 * org.freedesktop.DBus.ObjectManager on the serving side, as GDBus's
 * GDBusObjectManagerServer behaves: an object whose interface says
 * `@dbus(object_manager = true)` (descriptor `objectManager`) answers
 * `GetManagedObjects` with every object served below its path — its path
 * plus "/", never its own — each with every interface served there and that
 * interface's readable properties (what Properties.GetAll gives), and emits
 * `InterfacesAdded` / `InterfacesRemoved` from its path as interfaces are
 * registered and unregistered below it.
 *
 * The export ports of one connection share one {@link ObjectTree}: objects
 * below a manager are usually each exported by a port of their own (one port
 * serves one path), so no single port sees them all. The tree is also what
 * Introspect reads, so a node lists children served by any port.
 *
 * Changes made in one tick to one path are announced in one signal (a
 * skeleton's interfaces registered one after the other arrive together, as
 * GDBus's export of a whole object does). Signals keep the order of the
 * changes; InterfacesAdded carries the properties read when it is sent. A
 * property whose getter fails is left out of GetManagedObjects and
 * InterfacesAdded rather than hiding every other object.
 */
import type { DbusConnection } from "./connection.js";
import { DbusErrorNames } from "./dbus-errors.js";
import type { DbusInterfaceDescriptor } from "./descriptor.js";
import { CallAnswer } from "./export-answer.js";
import { readAll, type ContextOf } from "./export-properties.js";
import type { ServedInterface } from "./export.js";
import type { DbusMessage } from "./wire/message.js";
import type { Variant } from "./wire/variant.js";

/** The interface name. */
export const OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager";
const NO_ERRORS = new Map();

/** One served interface and how its port runs its getters. */
interface Entry {
  readonly served: ServedInterface;
  readonly context: ContextOf;
}

/** A change waiting for the end of the tick. */
interface Change {
  readonly kind: "added" | "removed";
  readonly path: string;
  /** Interface names (removed) or entries (added), in registration order. */
  readonly entries: Entry[];
  /** The managers above `path` when the change happened. */
  readonly managers: string[];
}

/** `a{sa{sv}}`: interface → property → value. */
export type InterfacesAndProperties = Map<string, Map<string, Variant>>;

/** Every object served on one connection, by path, across its export ports. */
export class ObjectTree {
  readonly #conn: DbusConnection;
  /** path → D-Bus interface name → entry. */
  readonly #objects = new Map<string, Map<string, Entry>>();
  #removeHandler: (() => void) | undefined;
  #changes: Change[] = [];
  /** The signals being sent, in order (InterfacesAdded waits for getters). */
  #tail: Promise<void> = Promise.resolve();

  constructor(conn: DbusConnection) {
    this.#conn = conn;
  }

  /** A port registered `served` (see export.ts). */
  add(served: ServedInterface, context: ContextOf): void {
    let object = this.#objects.get(served.path);
    if (object === undefined) this.#objects.set(served.path, (object = new Map()));
    const entry = { served, context };
    object.set(served.index.descriptor.interface, entry);
    this.#removeHandler ??= this.#conn.onMethodCall((msg) => this.#onCall(msg));
    this.#change("added", served.path, entry);
  }

  /** A port unregistered `served` (a no-op when another port replaced it meanwhile). */
  remove(served: ServedInterface): void {
    const object = this.#objects.get(served.path);
    const entry = object?.get(served.index.descriptor.interface);
    if (object === undefined || entry?.served !== served) return;
    object.delete(served.index.descriptor.interface);
    if (object.size === 0) this.#objects.delete(served.path);
    this.#change("removed", served.path, entry);
    if (this.#objects.size === 0) {
      this.#removeHandler?.();
      this.#removeHandler = undefined;
    }
  }

  /** The descriptors of the interfaces served at `path`. */
  interfacesAt(path: string): DbusInterfaceDescriptor[] {
    return [...(this.#objects.get(path)?.values() ?? [])].map((e) => e.served.index.descriptor);
  }

  /** Every served path. */
  paths(): IterableIterator<string> {
    return this.#objects.keys();
  }

  #isManager(path: string): boolean {
    for (const e of this.#objects.get(path)?.values() ?? []) if (e.served.index.descriptor.objectManager === true) return true;
    return false;
  }

  /** The managers strictly above `path`. */
  #managersOf(path: string): string[] {
    const out: string[] = [];
    for (let at = path.lastIndexOf("/"); at >= 0 && path !== "/"; at = path.lastIndexOf("/", at - 1)) {
      const parent = at === 0 ? "/" : path.slice(0, at);
      if (this.#isManager(parent)) out.push(parent);
      if (at === 0) break;
    }
    return out;
  }

  #change(kind: Change["kind"], path: string, entry: Entry): void {
    const managers = this.#managersOf(path);
    if (managers.length === 0) return;
    const last = this.#changes.at(-1);
    if (last !== undefined && last.kind === kind && last.path === path) last.entries.push(entry);
    else this.#changes.push({ kind, path, entries: [entry], managers });
    if (last === undefined) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const changes = this.#changes;
    this.#changes = [];
    for (const c of changes) this.#tail = this.#tail.then(() => this.#announce(c));
  }

  async #announce(change: Change): Promise<void> {
    let signature: string;
    let body: unknown[];
    if (change.kind === "added") {
      signature = "oa{sa{sv}}";
      body = [change.path, await interfacesAndProperties(change.entries)];
    } else {
      signature = "oas";
      body = [change.path, change.entries.map((e) => e.served.index.descriptor.interface)];
    }
    for (const manager of change.managers) {
      try {
        this.#conn.emitSignal(manager, OBJECT_MANAGER, change.kind === "added" ? "InterfacesAdded" : "InterfacesRemoved", signature, body);
      } catch {
        // The connection closed: nobody is left to tell.
      }
    }
  }

  /** The connection's method-call hook for ObjectManager calls at a manager's path. */
  #onCall(msg: DbusMessage): boolean {
    const path = msg.path ?? "";
    if (msg.interface !== OBJECT_MANAGER || !this.#objects.has(path)) return false;
    const answer = new CallAnswer(this.#conn, msg, NO_ERRORS);
    if (!this.#isManager(path)) {
      answer.reject(DbusErrorNames.unknownInterface, `No such interface '${OBJECT_MANAGER}' at object path '${path}'`);
    } else if (msg.member !== "GetManagedObjects") {
      answer.reject(DbusErrorNames.unknownMethod, `Unknown method ${msg.member ?? ""} - only GetManagedObjects() is supported`);
    } else if (msg.signature !== "") {
      answer.reject(DbusErrorNames.invalidArgs, `Type of message, '(${msg.signature})', does not match expected type '()'`);
    } else {
      this.managedObjects(path).then((objects) => answer.ok("a{oa{sa{sv}}}", [objects]), (failure: unknown) => answer.fail(failure));
    }
    return true;
  }

  /** What GetManagedObjects at `manager` answers. */
  async managedObjects(manager: string): Promise<Map<string, InterfacesAndProperties>> {
    const prefix = manager === "/" ? "/" : `${manager}/`;
    const below = [...this.#objects].filter(([p]) => p.length > prefix.length && p.startsWith(prefix));
    const values = await Promise.all(below.map(([, object]) => interfacesAndProperties([...object.values()])));
    return new Map(below.map(([p], i) => [p, values[i] as InterfacesAndProperties]));
  }
}

async function interfacesAndProperties(entries: readonly Entry[]): Promise<InterfacesAndProperties> {
  const all = await Promise.all(entries.map((e) => readAll(e.served, e.context, true)));
  return new Map(entries.map((e, i) => [e.served.index.descriptor.interface, all[i] as Map<string, Variant>]));
}

const trees = new WeakMap<DbusConnection, ObjectTree>();

/** The tree of objects served on `conn` (one per connection, shared by its export ports). */
export function objectTree(conn: DbusConnection): ObjectTree {
  let tree = trees.get(conn);
  if (tree === undefined) trees.set(conn, (tree = new ObjectTree(conn)));
  return tree;
}
