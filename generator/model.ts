/**
 * The resolved NIDL model: the one thing every emitter reads. Names are
 * resolved to declarations, typedefs are expanded (the alias is remembered),
 * well-known annotations are interpreted into typed fields, per-target names
 * are computed, and docs are split into summary and description.
 *
 * Ordering: packages are sorted by name and a package's files by path (order
 * carries no meaning there); everything *inside* a package keeps declaration
 * order (interfaces, types, members, arguments, fields, enum entries), because
 * member order is opcode order on the Wayland wire and argument order is
 * signature order everywhere.
 *
 * The model is plain data (no methods, no cycles): declarations refer to each
 * other by {@link DeclRef}, looked up in {@link Model.declarations}.
 */
import type { Span } from "./ast.js";

/** The targets a model can be emitted to. */
export type TargetName = "ts" | "dbus" | "wayland" | "wayland-ts" | "schema";

/** The protocol targets an interface opts into with `@dbus` / `@wayland`. */
export type ProtocolTarget = "dbus" | "wayland";

/** Documentation split the way Wayland XML (and TSDoc) want it. */
export interface Docs {
  /** One line (Wayland `summary=`); from `@summary("...")` or the doc comment's first paragraph. */
  readonly summary: string | undefined;
  /** The rest of the doc comment (paragraphs separated by a blank line), or all of it when `@summary` was given. */
  readonly description: string | undefined;
  /**
   * The doc comment's text exactly as written, line by line (summary line breaks kept), when there was no
   * `@summary`; emitters that print docs as free text (D-Bus XML comments) prefer it.
   */
  readonly raw?: string;
}

/** A reference to a named declaration. */
export interface DeclRef {
  /** What kind of declaration it points to. */
  readonly kind: "struct" | "enum" | "error" | "typedef" | "const" | "interface";
  /** Fully qualified name, the key in {@link Model.declarations}: `pkg.Name` or `pkg.Iface.Name`. */
  readonly qualifiedName: string;
  readonly package: string;
  /** Local (unqualified) name of the enclosing interface for declarations nested in one (Wayland enums). */
  readonly interface: string | undefined;
  /** The declaration's own name. */
  readonly name: string;
}

/** Built-in scalar types. */
export type PrimitiveName =
  | "bool"
  | "i8" | "i16" | "i32" | "i64"
  | "u8" | "u16" | "u32" | "u64"
  | "f32" | "f64"
  | "string"
  | "bytes"
  /** Wayland 24.8 fixed point. */
  | "fixed"
  /** A file descriptor (D-Bus `h`, Wayland `fd`). */
  | "fd"
  /** D-Bus object path `o`. */
  | "objpath"
  /** D-Bus type signature `g`. */
  | "signature"
  /** D-Bus variant `v`: any self-describing value. */
  | "variant";

/** Every resolved type. `alias` is set when the type was reached through a typedef. */
export type TypeModel =
  | { readonly kind: "primitive"; readonly name: PrimitiveName; readonly alias?: DeclRef }
  | { readonly kind: "list"; readonly element: TypeModel; readonly alias?: DeclRef }
  | { readonly kind: "map"; readonly key: TypeModel; readonly value: TypeModel; readonly alias?: DeclRef }
  | { readonly kind: "optional"; readonly inner: TypeModel; readonly alias?: DeclRef }
  | { readonly kind: "tuple"; readonly elements: readonly TypeModel[]; readonly alias?: DeclRef }
  | { readonly kind: "struct"; readonly ref: DeclRef; readonly alias?: DeclRef }
  | { readonly kind: "enum"; readonly ref: DeclRef; readonly alias?: DeclRef }
  /** A Wayland object reference `object<I>` (`object` alone: any interface). */
  | { readonly kind: "object"; readonly interface: DeclRef | undefined; readonly alias?: DeclRef }
  /** A Wayland `new_id<I>`; without an interface it is the `wl_registry.bind` form (string + uint + new_id on the wire). */
  | { readonly kind: "new_id"; readonly interface: DeclRef | undefined; readonly alias?: DeclRef };

/** A constant value after evaluation. */
export type ConstValue =
  | { readonly kind: "integer"; readonly value: bigint }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "bool"; readonly value: boolean };

/** A D-Bus `<annotation name=... value=.../>` kept verbatim (from `@dbus.annotation(name, value)`). */
export interface DbusAnnotation {
  readonly name: string;
  readonly value: string;
}

/** An annotation the resolver did not interpret (e.g. a user's own `@x.y(...)`), kept for emitters that want it. */
export interface GenericAnnotation {
  /** Dotted name without `@`. */
  readonly name: string;
  readonly args: readonly { readonly name: string | undefined; readonly value: ConstValue }[];
}

/**
 * Per-target facts of a declaration. `dbus.name` / `wayland.name` are the names
 * used on that target (from `@dbus(name=...)` / `@wayland(name=...)` or
 * derived); `annotations` holds the generic D-Bus annotations not mapped to a
 * first-class field. `other` holds uninterpreted annotations.
 */
export interface TargetInfo {
  readonly dbus: { readonly name: string; readonly annotations: readonly DbusAnnotation[] };
  readonly wayland: { readonly name: string };
  /**
   * `@ts.name("x")` on a method, signal or property: the name every generated
   * TypeScript member of it derives from, instead of the NIDL name. Wire names
   * do not change. `undefined` elsewhere and when not written.
   */
  readonly ts: { readonly name: string | undefined };
  readonly other: readonly GenericAnnotation[];
}

/** `@deprecated`, `@deprecated("why")`, `@deprecated(since = 3)`. */
export interface Deprecation {
  /** Wayland `deprecated-since`. */
  readonly since: number | undefined;
  readonly reason: string | undefined;
}

/** What every resolved declaration carries. */
export interface DeclBase {
  /** Declared name (unquoted). */
  readonly name: string;
  /** `package.Name` or `package.Interface.Name`. */
  readonly qualifiedName: string;
  readonly package: string;
  readonly docs: Docs;
  /** `@since(n)`; `undefined` when not written (means "since the first version"). */
  readonly since: number | undefined;
  readonly deprecated: Deprecation | undefined;
  readonly targets: TargetInfo;
  /** Where it was declared (for emitters that report diagnostics; never printed into output). */
  readonly span: Span;
}

/** A struct or error field. */
export interface FieldModel {
  readonly name: string;
  readonly type: TypeModel;
  readonly docs: Docs;
  readonly since: number | undefined;
  readonly deprecated: Deprecation | undefined;
  readonly span: Span;
}

/** `struct`. */
export interface StructModel extends DeclBase {
  readonly kind: "struct";
  /** Qualified name of the enclosing interface (as in the rest of the model), if nested. */
  readonly interface: string | undefined;
  readonly fields: readonly FieldModel[];
}

/** One enum / flags entry. */
export interface EnumEntryModel {
  readonly name: string;
  /** The evaluated value (fits the underlying type). */
  readonly value: bigint;
  /** The value as written (`0x10`, `1 << 4`) or its decimal form when implicit; emitters may print it back. */
  readonly valueText: string;
  readonly docs: Docs;
  readonly since: number | undefined;
  readonly deprecated: Deprecation | undefined;
  readonly targets: TargetInfo;
  readonly span: Span;
}

/** `enum` or `flags`. */
export interface EnumModel extends DeclBase {
  readonly kind: "enum";
  readonly interface: string | undefined;
  /** True for `flags` (Wayland `bitfield="true"`). */
  readonly bitfield: boolean;
  /**
   * `@closed`: a reader rejects values (for flags: bits) it does not know. By default enums are open:
   * a reader accepts any integer of the underlying type, so a newer peer may add entries.
   */
  readonly closed: boolean;
  /** The integer type that carries it (default u32). */
  readonly underlying: "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64";
  readonly entries: readonly EnumEntryModel[];
}

/** `error`: a failure a method may `throw`. */
export interface ErrorModel extends DeclBase {
  readonly kind: "error";
  readonly interface: string | undefined;
  readonly fields: readonly FieldModel[];
  /** The D-Bus error name (`@dbus(name=...)` or `<package>.Error.<Name>`); also in `targets.dbus.name`. */
  readonly dbusErrorName: string;
}

/** `typedef`: kept for emitters that want to print the alias; uses are already expanded. */
export interface TypedefModel extends DeclBase {
  readonly kind: "typedef";
  readonly interface: string | undefined;
  readonly type: TypeModel;
}

/** `const`. */
export interface ConstModel extends DeclBase {
  readonly kind: "const";
  readonly interface: string | undefined;
  readonly type: TypeModel;
  readonly value: ConstValue;
}

/** An argument of a method, signal or event. */
export interface ArgModel {
  /** `undefined` for an unnamed argument (D-Bus allows them). */
  readonly name: string | undefined;
  /** The type as written (an `optional` stays optional). */
  readonly type: TypeModel;
  /** True when the type is `T?` (Wayland `allow-null="true"`). */
  readonly allowNull: boolean;
  /**
   * The enum whose values the argument carries: set when the type is an enum
   * or when an integer argument is annotated `@enum(Ref)` (Wayland `enum=`,
   * possibly in another interface). The wire type is then the enum's underlying type.
   */
  readonly enumRef: DeclRef | undefined;
  /** The interface of an `object<I>` / `new_id<I>` argument (also inside `?`). */
  readonly interfaceRef: DeclRef | undefined;
  /** Wayland `summary=`: the argument's doc comment (summary only). */
  readonly docs: Docs;
  readonly since: number | undefined;
  readonly targets: TargetInfo;
  readonly span: Span;
}

/** Fields shared by methods, signals and properties. */
export interface MemberBase extends DeclBase {
  /** The interface's qualified name. */
  readonly interface: string;
  /** Where the member's name is written (diagnostics about the name point here). */
  readonly nameSpan: Span;
}

/** A method (`method`) or Wayland request (`request`). */
export interface MethodModel extends MemberBase {
  readonly kind: "method";
  /** How it was spelled; both kinds are D-Bus methods and Wayland requests. */
  readonly keyword: "method" | "request";
  readonly inArgs: readonly ArgModel[];
  readonly outArgs: readonly ArgModel[];
  readonly throws: readonly DeclRef[];
  /** `@oneway` or D-Bus `Method.NoReply`: no reply is sent. */
  readonly oneway: boolean;
  /** `@idempotent`: safe to retry / deduplicate. */
  readonly idempotent: boolean;
  /** `@destructor`: Wayland `type="destructor"`. */
  readonly destructor: boolean;
  /**
   * `@ts.callbacks` on the method or, inherited, its interface: the TypeScript
   * client also gets the callback form `mCallback(args..., callback, options?)`.
   */
  readonly callbacks: boolean;
}

/** A signal (`signal`) or Wayland event (`event`). */
export interface SignalModel extends MemberBase {
  readonly kind: "signal";
  readonly keyword: "signal" | "event";
  readonly args: readonly ArgModel[];
  /** `@destructor` on an event (Wayland `wl_callback.done`). */
  readonly destructor: boolean;
  /**
   * The event-bus topic (a concrete topic, never a pattern): the signal's own `@topic("window.opened")`
   * or, without one, derived from its interface's `@topic("window.*")` as the prefix plus the NIDL
   * member name (`window.Opened`); undefined when neither is given or the topic is invalid (NIDL2024).
   * See resolve/event-topics.ts.
   */
  readonly topic: string | undefined;
  /** `@persistent` on the signal or its interface: its events are written to the event log. */
  readonly persistent: boolean;
}

/** A property. */
export interface PropertyModel extends MemberBase {
  readonly kind: "property";
  readonly type: TypeModel;
  readonly access: "read" | "write" | "readwrite";
  /**
   * D-Bus `org.freedesktop.DBus.Property.EmitsChangedSignal`: `true` from
   * `notify`, or any value from `@emits_changed("invalidates")` / the generic
   * annotation. `undefined` when nothing was written (D-Bus default "true").
   */
  readonly emitsChanged: "true" | "invalidates" | "const" | "false" | undefined;
  /** True when changes are announced (emitsChanged is "true" or "invalidates", or `notify`). */
  readonly notify: boolean;
}

/** Any interface member with a wire presence. */
export type MemberModel = MethodModel | SignalModel | PropertyModel;

/** An interface. */
export interface InterfaceModel extends DeclBase {
  readonly kind: "interface";
  /** `@version(n)`, default 1. */
  readonly version: number;
  /**
   * `@external` (on the interface or its package): declared here only so other
   * interfaces can refer to it (e.g. `wl_surface` of the core Wayland protocol);
   * protocol emitters skip it, since its real definition lives elsewhere.
   */
  readonly external: boolean;
  /** Protocol targets the interface is exported to (`@dbus`, `@wayland`); TS and schema take every interface. */
  readonly exportedTo: readonly ProtocolTarget[];
  /** D-Bus object path from `@dbus(path = "/org/...")`, if any. */
  readonly dbusPath: string | undefined;
  /**
   * `@dbus(object_manager = true)`: the object this interface is served at also implements
   * org.freedesktop.DBus.ObjectManager for every object served below its path on the same connection.
   */
  readonly dbusObjectManager: boolean;
  /** `@topic("window.*")` as written: the pattern its signals' topics are derived from (resolve/event-topics.ts). */
  readonly topic: string | undefined;
  /** `@persistent` on the interface: every topic of its signals persists. */
  readonly persistent: boolean;
  /** All methods, signals and properties in declaration order (Wayland opcode order follows it per kind). */
  readonly members: readonly MemberModel[];
  readonly methods: readonly MethodModel[];
  readonly signals: readonly SignalModel[];
  readonly properties: readonly PropertyModel[];
  /** Types declared inside the interface, in declaration order. */
  readonly enums: readonly EnumModel[];
  readonly structs: readonly StructModel[];
  readonly errors: readonly ErrorModel[];
  readonly typedefs: readonly TypedefModel[];
  readonly constants: readonly ConstModel[];
}

/** A package: everything declared under one `package` name (possibly across files). */
export interface PackageModel {
  readonly name: string;
  /** `@version("1.2.0")` on the package (string as written; numbers become their decimal text); default "0.0.0". */
  readonly version: string;
  readonly docs: Docs;
  /** `@copyright("""...""")` (Wayland `<copyright>`). */
  readonly copyright: string | undefined;
  /** Source files declaring this package, sorted by path. */
  readonly files: readonly string[];
  /** Wayland protocol name: `@wayland(protocol = "x")`, default: package name with "." → "_". */
  readonly waylandProtocol: string;
  /** D-Bus `<node name=...>` from `@dbus(node = "/path")`. */
  readonly dbusNode: string | undefined;
  readonly targets: TargetInfo;
  /** Top-level declarations in declaration order (files by path). */
  readonly interfaces: readonly InterfaceModel[];
  readonly structs: readonly StructModel[];
  readonly enums: readonly EnumModel[];
  readonly errors: readonly ErrorModel[];
  readonly typedefs: readonly TypedefModel[];
  readonly constants: readonly ConstModel[];
}

/** Any named declaration. */
export type DeclModel = InterfaceModel | StructModel | EnumModel | ErrorModel | TypedefModel | ConstModel;

/** The whole resolved program. */
export interface Model {
  /** Sorted by name. */
  readonly packages: readonly PackageModel[];
  /** Every declaration (top-level and nested) by qualified name. Iterate `packages` for a stable order. */
  readonly declarations: ReadonlyMap<string, DeclModel>;
  /** The input files, sorted by path (relative, forward slashes). */
  readonly files: readonly string[];
}

/** Looks a reference up; the resolver guarantees every DeclRef in a model resolves. */
export function lookupDecl<K extends DeclModel["kind"]>(
  model: Model,
  ref: DeclRef,
  kind: K,
): Extract<DeclModel, { kind: K }> {
  const decl = model.declarations.get(ref.qualifiedName);
  if (decl === undefined || decl.kind !== kind) {
    // Unreachable for models produced by the resolver; a hand-built model is a programming error.
    throw new Error(`model invariant: ${ref.qualifiedName} is not a ${kind}`);
  }
  return decl as Extract<DeclModel, { kind: K }>;
}

/** Every interface of the model, packages sorted by name, declaration order inside. */
export function allInterfaces(model: Model): InterfaceModel[] {
  return model.packages.flatMap((p) => [...p.interfaces]);
}
