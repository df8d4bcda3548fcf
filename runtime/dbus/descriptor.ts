/**
 * How a NIDL interface appears on D-Bus: the descriptor nova-gen writes beside
 * each `@dbus` interface's client and server (`export const CalculatorDbus`),
 * read by the D-Bus export layer (serving a generated skeleton on the bus) and
 * the D-Bus proxy (a generated client calling a bus service).
 *
 * It is plain data, printed `as const` by the generator, so a generated file
 * needs no runtime import for it; it is assignable to
 * {@link DbusInterfaceDescriptor} structurally. Every D-Bus fact in it
 * (names, signatures, EmitsChangedSignal, the XML) comes from the same code
 * that writes the D-Bus introspection XML (generator/emit/dbus), so the XML
 * file, the served introspection data and the messages on the bus agree.
 */

/**
 * Single complete types that convert as themselves: the JS D-Bus value is the
 * NIDL value (runtime/dbus/README.md, "Mapping"). Enums and flags are their
 * underlying integer type here, as in the XML.
 */
export type DbusBasicType = "y" | "b" | "n" | "q" | "i" | "u" | "x" | "t" | "d" | "s" | "o" | "g" | "h";

/**
 * The type tree that drives conversion between NIDL values and JS D-Bus
 * values (runtime/dbus/convert.ts). Only the shapes D-Bus can carry appear:
 * NIDL optionals, `i8`, `f32`, `fixed` and Wayland objects are rejected by
 * `nova-gen check` on `@dbus` interfaces (NIDL3001/3004).
 */
export type DbusType =
  | DbusBasicType
  /** `bytes`: a Uint8Array on both sides. */
  | "ay"
  /** `variant`: a `Variant` (a JS value that is not one is wrapped by inference when sent). */
  | "v"
  /** `list<T>` → `aT`. `list<u8>` is `{ list: "y" }`: number[] in NIDL, Uint8Array on D-Bus. */
  | { readonly list: DbusType }
  /** `map<K, V>` → `a{KV}`: a Map on both sides. */
  | { readonly map: readonly [key: DbusType, value: DbusType] }
  /** A tuple `(A, B)` → `(AB)`: an array on both sides. */
  | { readonly tuple: readonly DbusType[] }
  /** A struct → `(…)`: an object keyed by field name in NIDL, an array in field order on D-Bus. */
  | { readonly struct: string; readonly fields: readonly (readonly [name: string, type: DbusType])[] };

/** One argument of a method or signal. */
export interface DbusArg {
  /** The D-Bus (and NIDL) argument name; `""` for an unnamed argument. */
  readonly name: string;
  readonly signature: string;
  readonly type: DbusType;
}

/** A method. */
export interface DbusMethod {
  /** The D-Bus member name (`@dbus(name = …)` or the NIDL name). */
  readonly name: string;
  /** The NIDL member name: what the RPC ports and generated stubs use. */
  readonly member: string;
  readonly in: readonly DbusArg[];
  readonly out: readonly DbusArg[];
  /** The concatenated signatures of `in` and `out`. */
  readonly inSignature: string;
  readonly outSignature: string;
  /** `@oneway`: `org.freedesktop.DBus.Method.NoReply`, the call carries NO_REPLY_EXPECTED. */
  readonly noReply: boolean;
  /** The D-Bus names of the errors the method declares (`throws`). */
  readonly errors: readonly string[];
}

/** A signal. */
export interface DbusSignal {
  readonly name: string;
  readonly member: string;
  readonly signature: string;
  readonly args: readonly DbusArg[];
}

/** A property. */
export interface DbusProperty {
  readonly name: string;
  readonly member: string;
  readonly signature: string;
  readonly type: DbusType;
  readonly access: "read" | "write" | "readwrite";
  /**
   * `org.freedesktop.DBus.Property.EmitsChangedSignal`: "true" sends the new
   * value in PropertiesChanged, "invalidates" only its name; "const" and
   * "false" send nothing.
   */
  readonly emitsChanged: "true" | "invalidates" | "const" | "false";
}

/**
 * A declared error as a D-Bus error reply: body `(s message, fields…)` with
 * signature `signature`. When a field has no D-Bus type, `fields` is
 * undefined and the body is the message alone.
 */
export interface DbusDeclaredError {
  /** The D-Bus error name (`@dbus(name = …)` or `<package>.Error.<Name>`). */
  readonly name: string;
  /** The qualified NIDL name (`DeclaredError.errorName`). */
  readonly nidlName: string;
  readonly signature: string;
  readonly fields: readonly (readonly [name: string, type: DbusType])[] | undefined;
}

/** Everything about one `@dbus` interface. */
export interface DbusInterfaceDescriptor {
  /** The D-Bus interface name. */
  readonly interface: string;
  /** The qualified NIDL name: `ServiceDefinition.iface` and the client ports' `iface`. */
  readonly nidlName: string;
  /** `@dbus(path = …)`: where the object is served unless told otherwise. */
  readonly path: string | undefined;
  /**
   * `@dbus(object_manager = true)`: the object serving this interface also implements
   * org.freedesktop.DBus.ObjectManager for the objects served below it (runtime/dbus/object-manager.ts).
   * Absent means false.
   */
  readonly objectManager?: boolean;
  readonly methods: readonly DbusMethod[];
  readonly signals: readonly DbusSignal[];
  readonly properties: readonly DbusProperty[];
  /** Every error a method of the interface declares, once each. */
  readonly errors: readonly DbusDeclaredError[];
  /** The `<interface>` element exactly as the generated `dbus/<package>.xml` holds it. */
  readonly xml: string;
}

/** The D-Bus error name an IPCError code travels under (`org.novade.IPC.Error.TimeoutExpired`). */
export const IPC_ERROR_PREFIX = "org.novade.IPC.Error.";
