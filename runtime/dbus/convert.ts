/**
 * NIDL values ↔ JS D-Bus values (the table in runtime/dbus/README.md,
 * "Mapping"), driven by the descriptor's type tree ({@link DbusType}).
 *
 * Most values are the same on both sides; the conversions are structs
 * (an object keyed by field name ↔ an array in field order), `list<u8>`
 * (number[] ↔ Uint8Array), 64-bit integers (a safe-integer number is sent as
 * is; received ones are bigints) and variants (a JS value that is not a
 * {@link Variant} is wrapped by inference, {@link toVariant}).
 *
 * Both directions are strict about shape: a value of the wrong JS kind is an
 * IPCError with `context.path` naming where it is (`SerializationError`
 * when sending, `MessageValidationFailed` when receiving). Ranges and the
 * syntax of strings, object paths and signatures are not checked here: the
 * wire encoder checks them (runtime/dbus/wire), and on receipt the generated
 * zod validators do, so each rule lives in one place.
 */
import { IPCError, type IPCErrorCode } from "../errors.js";
import type { DbusArg, DbusType } from "./descriptor.js";
import { Variant } from "./wire/variant.js";

type Path = (string | number)[];

function fail(code: IPCErrorCode, path: Path, expected: string, value: unknown): never {
  const where = path.length === 0 ? "value" : path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "");
  throw new IPCError(code, `D-Bus value at ${where}: expected ${expected}, got ${describe(value)}`, { context: { path: [...path] } });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length}`;
  if (value instanceof Map) return "a Map";
  if (value instanceof Variant) return `a Variant of "${value.signature}"`;
  if (typeof value === "object") return "an object";
  return typeof value === "string" ? "a string" : `${typeof value} ${String(value)}`;
}

const INTEGER = new Set(["y", "n", "q", "i", "u"]);

/** Checks a basic value (shape only); the same on both sides except 64-bit integers. */
function basic(code: string, value: unknown, sending: boolean, path: Path, err: IPCErrorCode): unknown {
  if (INTEGER.has(code) || code === "h") {
    if (typeof value !== "number" || !Number.isInteger(value)) fail(err, path, "an integer number", value);
  } else if (code === "x" || code === "t") {
    if (typeof value === "bigint") return value;
    // A NIDL i64 may arrive as a safe-integer number (msgpack); the encoder takes it as is.
    if (!sending || typeof value !== "number" || !Number.isSafeInteger(value)) fail(err, path, "a bigint", value);
  } else if (code === "d") {
    if (typeof value !== "number") fail(err, path, "a number", value);
  } else if (code === "b") {
    if (typeof value !== "boolean") fail(err, path, "a boolean", value);
  } else if (typeof value !== "string") {
    fail(err, path, "a string", value);
  }
  return value;
}

function convert(type: DbusType, value: unknown, sending: boolean, path: Path): unknown {
  const err: IPCErrorCode = sending ? "SerializationError" : "MessageValidationFailed";
  if (typeof type === "string") {
    if (type === "ay") {
      if (!(value instanceof Uint8Array)) fail(err, path, "a Uint8Array", value);
      return value;
    }
    if (type === "v") {
      if (value instanceof Variant) return value;
      if (!sending) fail(err, path, "a Variant", value);
      return toVariantAt(value, path);
    }
    return basic(type, value, sending, path, err);
  }
  // Containers push their position on `path` and pop it after; a failure leaves it there for the message.
  if ("list" in type) {
    if (type.list === "y") return bytesList(value, sending, path, err);
    if (!Array.isArray(value)) fail(err, path, "an array", value);
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      out[i] = convert(type.list, value[i], sending, path);
      path.pop();
    }
    return out;
  }
  if ("map" in type) {
    if (!(value instanceof Map)) fail(err, path, "a Map", value);
    const [k, v] = type.map;
    const out = new Map<unknown, unknown>();
    for (const [key, item] of value) {
      const converted = convert(k, key, sending, path);
      path.push(String(key));
      out.set(converted, convert(v, item, sending, path));
      path.pop();
    }
    return out;
  }
  if ("tuple" in type) {
    const items = type.tuple;
    if (!Array.isArray(value) || value.length !== items.length) fail(err, path, `an array of ${items.length}`, value);
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) {
      path.push(i);
      out[i] = convert(items[i] as DbusType, value[i], sending, path);
      path.pop();
    }
    return out;
  }
  return sending ? structToDbus(type, value, path) : structFromDbus(type, value, path);
}

type StructType = Extract<DbusType, { struct: string }>;

function structToDbus(type: StructType, value: unknown, path: Path): unknown[] {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Map || value instanceof Uint8Array) {
    fail("SerializationError", path, `a ${type.struct} object`, value);
  }
  const record = value as Record<string, unknown>;
  const fields = type.fields;
  const out = new Array<unknown>(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const [name, t] = fields[i] as readonly [string, DbusType];
    path.push(name);
    out[i] = convert(t, record[name], true, path);
    path.pop();
  }
  return out;
}

function structFromDbus(type: StructType, value: unknown, path: Path): Record<string, unknown> {
  const fields = type.fields;
  if (!Array.isArray(value) || value.length !== fields.length) fail("MessageValidationFailed", path, `a ${type.struct} struct of ${fields.length} fields`, value);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const [name, t] = fields[i] as readonly [string, DbusType];
    path.push(name);
    out[name] = convert(t, value[i], false, path);
    path.pop();
  }
  return out;
}

function bytesList(value: unknown, sending: boolean, path: Path, err: IPCErrorCode): unknown {
  if (sending) {
    if (!Array.isArray(value)) fail(err, path, "an array of numbers", value);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      basic("y", value[i], true, path, err);
      path.pop();
    }
    // The encoder takes number[] for `ay` and checks each byte's range.
    return value;
  }
  if (!(value instanceof Uint8Array)) fail(err, path, "a Uint8Array", value);
  return Array.from(value);
}

/** A NIDL value → its JS D-Bus value; a wrong shape is IPCError `SerializationError`. */
export function toDbus(type: DbusType, value: unknown): unknown {
  return convert(type, value, true, []);
}

/** A JS D-Bus value (as decoded) → the NIDL value; a wrong shape is IPCError `MessageValidationFailed`. */
export function fromDbus(type: DbusType, value: unknown): unknown {
  return convert(type, value, false, []);
}

/** Positional NIDL arguments → a D-Bus body (one value per argument). */
export function argsToDbus(args: readonly DbusArg[], values: readonly unknown[]): unknown[] {
  return convertArgs(args, values, true);
}

/** A D-Bus body → positional NIDL arguments. */
export function argsFromDbus(args: readonly DbusArg[], body: readonly unknown[]): unknown[] {
  return convertArgs(args, body, false);
}

function convertArgs(args: readonly DbusArg[], values: readonly unknown[], sending: boolean): unknown[] {
  if (values.length !== args.length) {
    throw new IPCError(sending ? "SerializationError" : "MessageValidationFailed", `expected ${args.length} D-Bus arguments, got ${values.length}`, {
      context: { path: [] },
    });
  }
  // One path for the whole body: containers push and pop on it, nothing is allocated per value.
  const path: Path = [];
  const out = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) {
    path.push(i);
    out[i] = convert((args[i] as DbusArg).type, values[i], sending, path);
    path.pop();
  }
  return out;
}

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function toVariantAt(value: unknown, path: Path): Variant {
  if (value instanceof Variant) return value;
  switch (typeof value) {
    case "boolean":
      return new Variant("b", value);
    case "string":
      return new Variant("s", value);
    case "number":
      return Number.isInteger(value) && value >= I32_MIN && value <= I32_MAX ? new Variant("i", value) : new Variant("d", value);
    case "bigint":
      return value >= I64_MIN && value <= I64_MAX ? new Variant("x", value) : new Variant("t", value);
  }
  if (value instanceof Uint8Array) return new Variant("ay", value);
  if (Array.isArray(value)) {
    const items = new Array<Variant>(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      items[i] = toVariantAt(value[i], path);
      path.pop();
    }
    return new Variant("av", items);
  }
  const entries = value instanceof Map ? [...value.entries()] : typeof value === "object" && value !== null ? Object.entries(value) : undefined;
  if (entries === undefined) return fail("SerializationError", path, "a value a D-Bus variant can hold", value);
  const dict = new Map<string, Variant>();
  for (const [key, item] of entries) {
    if (typeof key !== "string") fail("SerializationError", path, "string keys (a{sv})", key);
    path.push(key);
    dict.set(key, toVariantAt(item, path));
    path.pop();
  }
  return new Variant("a{sv}", dict);
}

/**
 * Wraps a NIDL `variant` value for D-Bus. A {@link Variant} is kept (the way
 * to choose a type: `new Variant("y", 1)` for a byte). Otherwise the type is
 * inferred: boolean `b`, string `s`, an integer number in int32 range `i`,
 * another number `d`, bigint `x` (`t` above int64), Uint8Array `ay`, an array
 * `av`, a Map with string keys or a plain object `a{sv}`; anything else
 * (null, undefined, functions) is IPCError `SerializationError`.
 */
export function toVariant(value: unknown): Variant {
  return toVariantAt(value, []);
}
