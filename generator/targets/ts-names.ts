/**
 * Every name the TypeScript emitter gives a generated symbol, computed once
 * from the resolved model and shared by the checker (which reports two NIDL
 * constructs that would get one TypeScript name, NIDL3008) and the emitter
 * (which prints the names and never re-derives them). Because both read the
 * same function, `generate` cannot fail on a name clash that `check` accepted.
 *
 * Member names per generated class:
 * - methods: camelCase of the NIDL name (`GetDevices` → `getDevices`), plus
 *   `<name>Callback` when the method or its interface has `@ts.callbacks`;
 * - signals: `on<Name>` (client), `emit<Name>` (emitter); a signal with an event-bus topic also
 *   gets `on<Name>` / `emit<Name>` in the interface's `<Interface>Events` class (typed bus events);
 * - properties: `get<Name>Property`, `set<Name>Property`,
 *   `observe<Name>Property` (client), `get…Property` / `set…Property` (impl),
 *   `emit<Name>PropertyChanged` (emitter). The `Property` suffix keeps the
 *   common D-Bus pairs apart by construction: method `GetDevices` beside
 *   property `Devices`, signal `StateChanged` beside property `State`.
 * `@ts.name("x")` replaces the NIDL name as the source of all of a member's names.
 * A `@dbus` interface also gets the top-level const `<Interface>Dbus`, its D-Bus descriptor.
 */
import type { Span } from "../ast.js";
import type { EnumModel, ErrorModel, InterfaceModel, MemberModel, MethodModel, PackageModel, PropertyModel, SignalModel, StructModel, TypedefModel, ConstModel } from "../model.js";
import { camelCase, memberName, pascalWords } from "../emit/ts/names.js";
import { constTsName, declTsName } from "../emit/ts/file-context.js";

/** The names of a method's generated members (client and impl). */
export interface MethodTsNames {
  /** The Promise method of the client and the method of the impl. */
  readonly method: string;
  /** The client's callback form, when opted in with `@ts.callbacks` (never for `@oneway`). */
  readonly callback: string | undefined;
}

/** The names of a signal's generated members. */
export interface SignalTsNames {
  /** Client subscription `onX(listener)`, and the events class's `onX(handler, options)`. */
  readonly on: string;
  /** Emitter method `emitX(args...)`, and the events class's `emitX(args..., options)`. */
  readonly emit: string;
}

/** The names of a property's generated members; undefined where the access mode has none. */
export interface PropertyTsNames {
  /** Client and impl getter (readable properties). */
  readonly get: string | undefined;
  /** Client and impl setter (writable properties). */
  readonly set: string | undefined;
  /** Client `observeXProperty` and emitter `emitXPropertyChanged` (notifying properties). */
  readonly observe: string | undefined;
  readonly emitChanged: string | undefined;
}

/** Everything an interface becomes in TypeScript, by name. */
export interface InterfaceTsNames {
  /** True when the interface gets an RPC client/server (not `@external`, not Wayland-only). */
  readonly stubs: boolean;
  readonly client: string;
  readonly impl: string;
  readonly register: string;
  /** Undefined when the interface emits nothing (no signal, no notifying property). */
  readonly emitter: string | undefined;
  /** The typed bus-events class; undefined when no signal has an event-bus topic (or there are no stubs). */
  readonly events: string | undefined;
  /** The D-Bus descriptor const (runtime/dbus/descriptor.ts); undefined unless the interface has stubs and `@dbus`. */
  readonly dbus: string | undefined;
  /** The names of one of the interface's methods (by its model). */
  method(method: MethodModel): MethodTsNames;
  signal(signal: SignalModel): SignalTsNames;
  property(property: PropertyModel): PropertyTsNames;
}

/** A lookup that treats a member of another interface as the programming error it is. */
function lookup<T>(map: ReadonlyMap<string, T>, member: MemberModel): T {
  const found = map.get(member.name);
  if (found === undefined) throw new Error(`model invariant: ${member.qualifiedName} is not a ${member.kind} of its interface`);
  return found;
}

/** True when an interface gets no RPC client/server: `@wayland` without `@dbus` (see the TS emitter README). */
export function isWaylandOnly(iface: InterfaceModel): boolean {
  return iface.exportedTo.includes("wayland") && !iface.exportedTo.includes("dbus");
}

/** The PascalCase base of a member's derived names (`onX`, `getXProperty`). */
function base(member: MemberModel): string {
  return pascalWords(member.targets.ts.name ?? member.name);
}

function methodNames(method: MethodModel): MethodTsNames {
  const name = method.targets.ts.name ?? memberName(method.name);
  return { method: name, callback: method.callbacks && !method.oneway ? `${name}Callback` : undefined };
}

function signalNames(signal: SignalModel): SignalTsNames {
  return { on: `on${base(signal)}`, emit: `emit${base(signal)}` };
}

function propertyNames(property: PropertyModel): PropertyTsNames {
  const b = base(property);
  return {
    get: property.access !== "write" ? `get${b}Property` : undefined,
    set: property.access !== "read" ? `set${b}Property` : undefined,
    observe: property.notify ? `observe${b}Property` : undefined,
    emitChanged: property.notify ? `emit${b}PropertyChanged` : undefined,
  };
}

const cache = new WeakMap<InterfaceModel, InterfaceTsNames>();

/** The TypeScript names of an interface's generated symbols (computed once per model interface). */
export function interfaceTsNames(iface: InterfaceModel): InterfaceTsNames {
  const hit = cache.get(iface);
  if (hit !== undefined) return hit;
  const ts = declTsName(iface);
  const emits = iface.signals.length > 0 || iface.properties.some((p) => p.notify);
  const methods = new Map(iface.methods.map((m) => [m.name, methodNames(m)]));
  const signals = new Map(iface.signals.map((s) => [s.name, signalNames(s)]));
  const properties = new Map(iface.properties.map((p) => [p.name, propertyNames(p)]));
  const names: InterfaceTsNames = {
    stubs: !iface.external && !isWaylandOnly(iface),
    client: `${ts}Client`,
    impl: `${ts}Impl`,
    register: `register${ts}`,
    emitter: emits ? `${ts}Emitter` : undefined,
    events: !iface.external && !isWaylandOnly(iface) && iface.signals.some((s) => s.topic !== undefined) ? `${ts}Events` : undefined,
    dbus: !iface.external && iface.exportedTo.includes("dbus") ? `${ts}Dbus` : undefined,
    method: (m) => lookup(methods, m),
    signal: (s) => lookup(signals, s),
    property: (p) => lookup(properties, p),
  };
  cache.set(iface, names);
  return names;
}

/** The exported names of a flags declaration's helpers. */
export function flagsHelperNames(tsName: string): { has: string; names: string } {
  return { has: `has${tsName}`, names: `${camelCase(tsName)}Names` };
}

/** The exported name of an error's data type. */
export function errorDataName(tsName: string): string {
  return `${tsName}Data`;
}

/** The exported name of a type's zod schema. */
export function schemaName(tsName: string): string {
  return `${tsName}Schema`;
}

/** One name a generated symbol takes, with the NIDL construct it comes from. */
export interface TsNameClaim {
  /** `""` for the file's top level, else the generated class or interface. */
  readonly scope: string;
  /**
   * At the top level, the declaration space the name takes: TypeScript keeps types (interfaces,
   * type aliases) apart from values (consts, functions), so `interface FooBarSchema` beside
   * `const FooBarSchema` is legal; a class or an enum's const + type takes both (two claims).
   */
  readonly space: "type" | "value" | "member";
  readonly name: string;
  /** The NIDL construct, for messages: `property "Devices"`. */
  readonly owner: string;
  /** Identity of the owner (two claims of one owner never clash). */
  readonly ownerKey: string;
  readonly span: Span;
}

type Decl = ConstModel | EnumModel | StructModel | TypedefModel | ErrorModel;

function declClaims(decl: Decl): TsNameClaim[] {
  const owner = `${decl.kind === "enum" && decl.bitfield ? "flags" : decl.kind} "${decl.name}"`;
  const claim = (name: string, space: "type" | "value"): TsNameClaim => ({ scope: "", space, name, owner, ownerKey: decl.qualifiedName, span: decl.span });
  if (decl.kind === "const") return [claim(constTsName(decl), "value")];
  const ts = declTsName(decl);
  // error: a class (type and value), its data interface and the data's schema const.
  if (decl.kind === "error") return [claim(ts, "type"), claim(ts, "value"), claim(errorDataName(ts), "type"), claim(schemaName(errorDataName(ts)), "value")];
  // enum and flags: a const object and a type of one name; struct and typedef: a type; all: a schema const.
  const out = decl.kind === "enum" ? [claim(ts, "type"), claim(ts, "value")] : [claim(ts, "type")];
  out.push(claim(schemaName(ts), "value"));
  if (decl.kind === "enum" && decl.bitfield) out.push(claim(flagsHelperNames(ts).has, "value"), claim(flagsHelperNames(ts).names, "value"));
  return out;
}

function nestedDecls(d: { constants: readonly ConstModel[]; enums: readonly EnumModel[]; structs: readonly StructModel[]; typedefs: readonly TypedefModel[]; errors: readonly ErrorModel[] }): Decl[] {
  // The emitter's order: constants, enums, structs, typedefs, errors.
  return [...d.constants, ...d.enums, ...d.structs, ...d.typedefs, ...d.errors];
}

function noun(m: MemberModel): string {
  return `${m.kind === "property" ? "property" : m.keyword} "${m.name}"`;
}

function memberClaims(iface: InterfaceModel, names: InterfaceTsNames): TsNameClaim[] {
  const out: TsNameClaim[] = [];
  // Declaration order, so the later of two clashing members is the one reported.
  for (const m of iface.members) {
    const claim = (scope: string | undefined, name: string | undefined, role?: string): void => {
      if (scope === undefined || name === undefined) return;
      out.push({ scope, space: "member", name, owner: role === undefined ? noun(m) : `${noun(m)} (${role})`, ownerKey: m.qualifiedName + ":" + m.kind, span: m.nameSpan });
    };
    if (m.kind === "method") {
      const n = names.method(m);
      claim(names.client, n.method);
      claim(names.client, n.callback, "its callback form");
      claim(names.impl, n.method);
    } else if (m.kind === "signal") {
      const n = names.signal(m);
      claim(names.client, n.on);
      claim(names.emitter, n.emit);
      if (m.topic !== undefined) {
        claim(names.events, n.on, "its bus listener");
        claim(names.events, n.emit, "its bus publisher");
      }
    } else {
      const n = names.property(m);
      for (const scope of [names.client, names.impl]) {
        claim(scope, n.get, "its getter");
        claim(scope, n.set, "its setter");
      }
      claim(names.client, n.observe, "its observer");
      claim(names.emitter, n.emitChanged, "its change announcement");
    }
  }
  return out;
}

/** Every name the TypeScript file of `pkg` declares, in the order the emitter declares them. */
export function packageTsNameClaims(pkg: PackageModel): TsNameClaim[] {
  const out = nestedDecls(pkg).flatMap(declClaims);
  for (const iface of pkg.interfaces) {
    out.push(...nestedDecls(iface).flatMap(declClaims));
    const names = interfaceTsNames(iface);
    if (!names.stubs) continue;
    const owner = `interface "${iface.name}"`;
    // Client and emitter are classes (type and value), the impl an interface, register a function.
    const spaces: [string | undefined, "type" | "value"][] = [
      [names.client, "type"], [names.client, "value"], [names.impl, "type"], [names.register, "value"], [names.emitter, "type"], [names.emitter, "value"],
      [names.events, "type"], [names.events, "value"], [names.dbus, "value"],
    ];
    for (const [name, space] of spaces) {
      if (name !== undefined) out.push({ scope: "", space, name, owner, ownerKey: iface.qualifiedName, span: iface.span });
    }
    out.push(...memberClaims(iface, names));
  }
  return out;
}
