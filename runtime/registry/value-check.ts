/**
 * Checks a decoded payload value against a registry type. Pure: the registry
 * supplies the resolution of named types, this file only walks value and type
 * together and reports the first mismatch with its path.
 *
 * What counts as a valid value mirrors what a msgpack peer may send: 64-bit
 * integers as bigint or as a safe-integer number, maps as `Map` or as plain
 * objects (string keys), optionals as null or undefined.
 */
import type { SchemaEntry, SchemaPrimitive, SchemaType, SchemaTypeEntry } from "./schema-entry.js";

/** One segment of a path into a payload: a property name or an index. */
export type PathSegment = string | number;

/** Where and why a value did not match. */
export interface ValueMismatch {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** Resolves a type name mentioned by `owner` (through its refs) to the type entry. */
export type NamedTypeResolver = (name: string, owner: SchemaEntry) => SchemaTypeEntry | string;

/** Deeper payloads are refused rather than risking the stack. */
export const MAX_VALUE_DEPTH = 256;

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  i8: [-(2n ** 7n), 2n ** 7n - 1n],
  i16: [-(2n ** 15n), 2n ** 15n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
  u8: [0n, 2n ** 8n - 1n],
  u16: [0n, 2n ** 16n - 1n],
  u32: [0n, 2n ** 32n - 1n],
  u64: [0n, 2n ** 64n - 1n],
  fd: [0n, 2n ** 31n - 1n],
};

const OBJECT_PATH = /^\/$|^(\/[A-Za-z0-9_]+)+$/;

/** Checks `value` against `type`; returns the first mismatch or null. */
export function checkValue(
  type: SchemaType,
  value: unknown,
  owner: SchemaEntry,
  resolve: NamedTypeResolver,
  path: PathSegment[] = [],
): ValueMismatch | null {
  if (path.length > MAX_VALUE_DEPTH) return { path: [...path], message: `nested deeper than ${MAX_VALUE_DEPTH}` };
  const fail = (message: string): ValueMismatch => ({ path: [...path], message });
  switch (type.kind) {
    case "primitive":
      return checkPrimitive(type.name, value) ? null : fail(`expected ${type.name}, got ${describe(value)}`);
    case "optional":
      return value === null || value === undefined ? null : checkValue(type.inner, value, owner, resolve, path);
    case "list": {
      if (!Array.isArray(value)) return fail(`expected a list, got ${describe(value)}`);
      for (let index = 0; index < value.length; index++) {
        const mismatch = checkValue(type.element, value[index], owner, resolve, [...path, index]);
        if (mismatch !== null) return mismatch;
      }
      return null;
    }
    case "tuple": {
      if (!Array.isArray(value) || value.length !== type.elements.length) {
        return fail(`expected a tuple of ${type.elements.length}, got ${describe(value)}`);
      }
      for (let index = 0; index < value.length; index++) {
        const mismatch = checkValue(type.elements[index] as SchemaType, value[index], owner, resolve, [...path, index]);
        if (mismatch !== null) return mismatch;
      }
      return null;
    }
    case "map":
      return checkMap(type, value, owner, resolve, path);
    case "object":
    case "new_id":
      return checkPrimitive("u32", value) ? null : fail(`expected an object id, got ${describe(value)}`);
    case "named": {
      const target = resolve(type.name, owner);
      if (typeof target === "string") return fail(target);
      return checkNamed(target, value, resolve, path);
    }
  }
}

function checkMap(
  type: Extract<SchemaType, { kind: "map" }>,
  value: unknown,
  owner: SchemaEntry,
  resolve: NamedTypeResolver,
  path: PathSegment[],
): ValueMismatch | null {
  let entries: [unknown, unknown][];
  let keysAreText = false;
  if (value instanceof Map) entries = [...value.entries()];
  else if (isPlainObject(value)) {
    entries = Object.entries(value);
    keysAreText = true;
  } else return { path: [...path], message: `expected a map, got ${describe(value)}` };
  // Enum and flags keys travel as their underlying integers.
  let keyType = type.key;
  if (keyType.kind === "named") {
    const target = resolve(keyType.name, owner);
    if (typeof target !== "string" && (target.kind === "enum" || target.kind === "flags")) {
      keyType = { kind: "primitive", name: target.underlying };
    }
  }
  for (const [rawKey, member] of entries) {
    const key = keysAreText ? keyFromText(keyType, rawKey as string) : rawKey;
    const segment = typeof rawKey === "string" || typeof rawKey === "number" ? rawKey : String(rawKey);
    const keyMismatch = checkValue(type.key, key, owner, resolve, [...path, segment]);
    if (keyMismatch !== null) return { path: keyMismatch.path, message: `bad map key: ${keyMismatch.message}` };
    const mismatch = checkValue(type.value, member, owner, resolve, [...path, segment]);
    if (mismatch !== null) return mismatch;
  }
  return null;
}

/** A map that arrived as a plain object has text keys; integer key types accept their decimal form. */
function keyFromText(keyType: SchemaType, key: string): unknown {
  if (keyType.kind === "primitive" && keyType.name in INT_RANGES && /^-?[0-9]+$/.test(key)) {
    return keyType.name === "i64" || keyType.name === "u64" ? BigInt(key) : Number(key);
  }
  if (keyType.kind === "primitive" && keyType.name === "bool" && (key === "true" || key === "false")) return key === "true";
  if (keyType.kind === "primitive" && (keyType.name === "f32" || keyType.name === "f64") && String(Number(key)) === key) {
    return Number(key);
  }
  return key;
}

function checkNamed(entry: SchemaTypeEntry, value: unknown, resolve: NamedTypeResolver, path: PathSegment[]): ValueMismatch | null {
  const fail = (message: string): ValueMismatch => ({ path: [...path], message });
  switch (entry.kind) {
    case "typedef":
      return checkValue(entry.type, value, entry, resolve, path);
    case "struct":
    case "error": {
      if (!isPlainObject(value)) return fail(`expected ${entry.kind} ${entry.name}, got ${describe(value)}`);
      for (const field of entry.fields) {
        const member = Object.hasOwn(value, field.name) ? value[field.name] : undefined;
        const mayBeAbsent = field.type.kind === "optional" || (field.type.kind === "primitive" && field.type.name === "variant");
        if (member === undefined && !mayBeAbsent) {
          return { path: [...path, field.name], message: `missing field "${field.name}" of ${entry.name}` };
        }
        const mismatch = checkValue(field.type, member, entry, resolve, [...path, field.name]);
        if (mismatch !== null) return mismatch;
      }
      return null;
    }
    // Open enums and flags (no `closed`) accept any integer of their type: a newer peer may have added entries.
    case "enum": {
      if (!checkPrimitive(entry.underlying, value)) return fail(`expected enum ${entry.name}, got ${describe(value)}`);
      if (entry.closed !== true) return null;
      const wanted = BigInt(value as number | bigint);
      return entry.entries.some((item) => BigInt(item.value) === wanted)
        ? null
        : fail(`${String(value)} is not a value of enum ${entry.name}`);
    }
    case "flags": {
      if (!checkPrimitive(entry.underlying, value)) return fail(`expected flags ${entry.name}, got ${describe(value)}`);
      if (entry.closed !== true) return null;
      const mask = entry.entries.reduce((bits, item) => bits | BigInt(item.value), 0n);
      const bits = BigInt(value as number | bigint);
      return (bits & ~mask) === 0n ? null : fail(`${String(value)} has bits outside flags ${entry.name}`);
    }
  }
}

function checkPrimitive(name: SchemaPrimitive, value: unknown): boolean {
  const range = INT_RANGES[name];
  if (range !== undefined) {
    let integer: bigint;
    if (typeof value === "bigint") integer = value;
    else if (typeof value === "number" && Number.isSafeInteger(value)) integer = BigInt(value);
    else return false;
    // Only 64-bit types may arrive as bigint; narrower ones are always numbers.
    if (typeof value === "bigint" && name !== "i64" && name !== "u64") return false;
    return integer >= range[0] && integer <= range[1];
  }
  switch (name) {
    case "bool":
      return typeof value === "boolean";
    case "f32":
    case "f64":
      // Finite only, like the generated zod validators (and JSON).
      return typeof value === "number" && Number.isFinite(value);
    case "fixed":
      // Wayland 24.8 fixed point: a signed 24-bit integer part.
      return typeof value === "number" && value >= -(2 ** 23) && value <= (2 ** 31 - 1) / 256;
    case "string":
    case "signature":
      return typeof value === "string";
    case "objpath":
      return typeof value === "string" && OBJECT_PATH.test(value);
    case "bytes":
      return value instanceof Uint8Array;
    case "variant":
      return true;
    default:
      return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof Map) return "a map";
  if (typeof value === "string") return value.length > 40 ? "a string" : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return typeof value;
}
