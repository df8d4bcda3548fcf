/**
 * Lookup tables over a D-Bus descriptor (by D-Bus name for what arrives from
 * the bus, by NIDL name for what the RPC ports are given), built once per
 * descriptor object and cached.
 */
import type { DbusDeclaredError, DbusInterfaceDescriptor, DbusMethod, DbusProperty, DbusSignal } from "./descriptor.js";

/** A descriptor with its lookup tables. */
export interface IndexedDescriptor {
  readonly descriptor: DbusInterfaceDescriptor;
  readonly methodByName: ReadonlyMap<string, DbusMethod>;
  readonly methodByMember: ReadonlyMap<string, DbusMethod>;
  readonly signalByMember: ReadonlyMap<string, DbusSignal>;
  readonly propertyByName: ReadonlyMap<string, DbusProperty>;
  readonly propertyByMember: ReadonlyMap<string, DbusProperty>;
  /** Declared errors by NIDL qualified name (server side: what a handler throws). */
  readonly errorByNidlName: ReadonlyMap<string, DbusDeclaredError>;
  /** Declared errors by D-Bus name (client side: what a reply says). */
  readonly errorByName: ReadonlyMap<string, DbusDeclaredError>;
}

const cache = new WeakMap<DbusInterfaceDescriptor, IndexedDescriptor>();

/** The lookup tables of `descriptor`. */
export function indexDescriptor(descriptor: DbusInterfaceDescriptor): IndexedDescriptor {
  let hit = cache.get(descriptor);
  if (hit === undefined) {
    hit = {
      descriptor,
      methodByName: new Map(descriptor.methods.map((m) => [m.name, m])),
      methodByMember: new Map(descriptor.methods.map((m) => [m.member, m])),
      signalByMember: new Map(descriptor.signals.map((s) => [s.member, s])),
      propertyByName: new Map(descriptor.properties.map((p) => [p.name, p])),
      propertyByMember: new Map(descriptor.properties.map((p) => [p.member, p])),
      errorByNidlName: new Map(descriptor.errors.map((e) => [e.nidlName, e])),
      errorByName: new Map(descriptor.errors.map((e) => [e.name, e])),
    };
    cache.set(descriptor, hit);
  }
  return hit;
}

/** Indexes a list of descriptors by NIDL interface name (what ServiceDefinition.iface and client ports carry). */
export function byNidlName(descriptors: readonly DbusInterfaceDescriptor[]): Map<string, IndexedDescriptor> {
  return new Map(descriptors.map((d) => [d.nidlName, indexDescriptor(d)]));
}
