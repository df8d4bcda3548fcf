/**
 * The protocol registry (spec 5.1.4 register_protocol_handler, 4.1.5 "custom protocol plugin
 * system"): which protocols this process speaks, in which versions, with which handler.
 *
 * Names are unique per registry. Every registry starts with the built-in handlers: `nova` (our
 * own frames, nova-handler.ts), `dbus` (runtime/dbus/protocol-handler.ts: marshalled D-Bus
 * messages) and `wayland` (runtime/wayland/protocol-handler.ts: one wire message), registered
 * through the same `register` a plugin uses. A registry of one's own (`new ProtocolRegistry()`) keeps a
 * test or an embedded component apart from the process-wide one.
 */
import { IPCError } from "../errors.js";
import { checkHandler, PROTOCOL_NAME, type ProtocolHandlerId, type ProtocolHandler, type ProtocolInfo } from "./handler.js";
import { NOVA_PROTOCOL, NOVA_PROTOCOL_VERSIONS, novaHandler } from "./nova-handler.js";
import { DBUS_PROTOCOL, DBUS_PROTOCOL_VERSIONS, dbusProtocolHandler } from "../dbus/protocol-handler.js";
import { WAYLAND_PROTOCOL, WAYLAND_PROTOCOL_VERSIONS, waylandProtocolHandler } from "../wayland/protocol-handler.js";
import { formatVersion, rangeWithin, toVersionRange, type VersionRange, type VersionSpec } from "./version.js";

/** The protocols NovaDE itself provides, registered in this order in every registry unless `builtins: false`. */
export const BUILTIN_PROTOCOLS = ["nova", "dbus", "wayland"] as const;

/** One registration. */
export interface RegisteredProtocol {
  readonly id: ProtocolHandlerId;
  readonly name: string;
  readonly handler: ProtocolHandler;
  readonly versions: VersionRange;
}

/** Options of a {@link ProtocolRegistry}. */
export interface ProtocolRegistryOptions {
  /** Register the built-in `nova`, `dbus` and `wayland` handlers (default true). */
  readonly builtins?: boolean;
}

let nextId = 1;

/** A set of protocol handlers by name (see the file comment). */
export class ProtocolRegistry {
  private readonly byName = new Map<string, RegisteredProtocol>();

  constructor(options: ProtocolRegistryOptions = {}) {
    if (options.builtins ?? true) {
      this.register(NOVA_PROTOCOL, novaHandler, NOVA_PROTOCOL_VERSIONS);
      this.register(DBUS_PROTOCOL, dbusProtocolHandler, DBUS_PROTOCOL_VERSIONS);
      this.register(WAYLAND_PROTOCOL, waylandProtocolHandler, WAYLAND_PROTOCOL_VERSIONS);
    }
  }

  /**
   * Registers `handler` for `name` in `version` (one version or a range, see version.ts), spec
   * register_protocol_handler. Throws InvalidArgument for a malformed name,
   * UnsupportedProtocolVersion for a malformed version or one outside the handler's own
   * `supportedVersions`, InvalidHandler for a handler without validate/encode/decode, and
   * ProtocolAlreadyRegistered when `name` is taken (unregister it first to replace it).
   */
  register<M>(name: string, handler: ProtocolHandler<M>, version: VersionSpec): ProtocolHandlerId {
    if (typeof name !== "string" || !PROTOCOL_NAME.test(name)) {
      throw new IPCError("InvalidArgument", `invalid protocol name ${JSON.stringify(name)}: a letter, then up to 63 of [A-Za-z0-9._-]`, { context: { protocol: name } });
    }
    checkHandler(name, handler);
    const versions = toVersionRange(version);
    if (handler.supportedVersions !== undefined) {
      const supported = toVersionRange(handler.supportedVersions);
      if (!rangeWithin(versions, supported)) {
        throw new IPCError("UnsupportedProtocolVersion", `protocol ${name}: the handler speaks ${formatVersion(supported)}, not ${formatVersion(versions)}`, {
          context: { protocol: name, requested: formatVersion(versions), supported: formatVersion(supported) },
        });
      }
    }
    const existing = this.byName.get(name);
    if (existing) {
      throw new IPCError("ProtocolAlreadyRegistered", `protocol ${name} is already registered (${formatVersion(existing.versions)}, handler ${existing.id})`, {
        context: { protocol: name, handlerId: existing.id },
      });
    }
    const entry: RegisteredProtocol = { id: nextId++, name, handler: handler as ProtocolHandler, versions };
    this.byName.set(name, entry);
    return entry.id;
  }

  /** Removes a registration; false when `id` is not registered here. */
  unregister(id: ProtocolHandlerId): boolean {
    for (const [name, entry] of this.byName) {
      if (entry.id === id) return this.byName.delete(name);
    }
    return false;
  }

  /** The registration of `name`, if any. */
  get(name: string): RegisteredProtocol | undefined {
    return this.byName.get(name);
  }

  /** The registration of `name`; ProtocolNotRegistered when there is none. */
  require(name: string): RegisteredProtocol {
    const entry = this.byName.get(name);
    if (!entry) throw new IPCError("ProtocolNotRegistered", `protocol ${JSON.stringify(name)} is not registered`, { context: { protocol: name, registered: [...this.byName.keys()] } });
    return entry;
  }

  /** Every registered protocol with its versions, in registration order: the default negotiation offer. */
  list(): ProtocolInfo[] {
    return [...this.byName.values()].map(({ name, versions }) => ({ name, versions }));
  }
}

/** The process-wide registry, with the built-in protocols registered. */
export const protocols = new ProtocolRegistry();

/** {@link ProtocolRegistry.register} on `registry` (default: the process-wide {@link protocols}); spec register_protocol_handler. */
export function registerProtocolHandler<M>(name: string, handler: ProtocolHandler<M>, version: VersionSpec, registry: ProtocolRegistry = protocols): ProtocolHandlerId {
  return registry.register(name, handler, version);
}

/** {@link ProtocolRegistry.unregister} on `registry` (default: the process-wide one). */
export function unregisterProtocolHandler(id: ProtocolHandlerId, registry: ProtocolRegistry = protocols): boolean {
  return registry.unregister(id);
}
