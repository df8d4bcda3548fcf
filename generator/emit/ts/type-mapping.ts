/**
 * NIDL types → TypeScript types and → zod validators, side by side so the two
 * can never disagree. The mapping (documented in idl/README.md, "TypeScript"):
 *
 * | NIDL | TypeScript | accepted on receive |
 * | --- | --- | --- |
 * | bool | boolean | |
 * | i8…i32, u8…u32, f32, f64, fixed | number | integers and fixed range-checked; floats finite |
 * | i64, u64 | bigint | bigint, or a safe-integer number (converted) |
 * | string, objpath, signature | string | objpath pattern-checked |
 * | bytes | Uint8Array | a Buffer too (→ a plain Uint8Array view) |
 * | fd | number | non-negative integer |
 * | variant | unknown | anything |
 * | list<T> | T[] | |
 * | map<K,V> | Map<K,V> | a Map, or a plain object with text keys |
 * | T? | T \| null | null or undefined (→ null) |
 * | (A, B) | [A, B] | |
 * | struct / enum / flags | its generated name | |
 * | object<I>, new_id<I> | number (object id) | 32-bit unsigned |
 */
import type { PrimitiveName, TypeModel } from "../../model.js";
import { declTsName, qualify, zod, type FileContext } from "./file-context.js";
import type { MapKeyMode } from "./zod-helpers.js";
import { schemaName as sharedSchemaName } from "../../targets/ts-names.js";
// One table of integer ranges for the generator: the resolver checks constants against it, the TS emitter writes it into zod schemas.
import { INTEGER_RANGES } from "../../resolve/const-eval.js";

const NUMBER_PRIMITIVES: ReadonlySet<PrimitiveName> = new Set(["i8", "i16", "i32", "u8", "u16", "u32", "f32", "f64", "fixed", "fd"]);
const BIGINT_PRIMITIVES: ReadonlySet<PrimitiveName> = new Set(["i64", "u64"]);
const STRING_PRIMITIVES: ReadonlySet<PrimitiveName> = new Set(["string", "objpath", "signature"]);


/** True when values of `name` are bigints in TypeScript. */
export function isBigintPrimitive(name: PrimitiveName): boolean {
  return BIGINT_PRIMITIVES.has(name);
}

/** The TypeScript type of a NIDL type. */
export function tsType(ctx: FileContext, type: TypeModel): string {
  if (type.alias !== undefined) return qualify(ctx, type.alias.package, declTsName(type.alias));
  switch (type.kind) {
    case "primitive":
      return primitiveTsType(type.name);
    case "list": {
      const element = tsType(ctx, type.element);
      return /[\s|&]/.test(element) ? `Array<${element}>` : `${element}[]`;
    }
    case "map":
      return `Map<${tsType(ctx, type.key)}, ${tsType(ctx, type.value)}>`;
    case "optional":
      return `${tsType(ctx, type.inner)} | null`;
    case "tuple":
      return `[${type.elements.map((element) => tsType(ctx, element)).join(", ")}]`;
    case "struct":
    case "enum":
      return qualify(ctx, type.ref.package, declTsName(type.ref));
    case "object":
    case "new_id":
      return "number";
  }
}

function primitiveTsType(name: PrimitiveName): string {
  if (name === "bool") return "boolean";
  if (NUMBER_PRIMITIVES.has(name)) return "number";
  if (BIGINT_PRIMITIVES.has(name)) return "bigint";
  if (STRING_PRIMITIVES.has(name)) return "string";
  if (name === "bytes") return "Uint8Array";
  return "unknown";
}

/** The name of the exported zod schema of a declaration. */
export function schemaName(tsName: string): string {
  return sharedSchemaName(tsName);
}

/** A zod expression validating (and normalising) received values of `type`. */
export function zodSchema(ctx: FileContext, type: TypeModel): string {
  const z = zod(ctx);
  if (type.alias !== undefined) return `${z}.lazy(() => ${qualify(ctx, type.alias.package, schemaName(declTsName(type.alias)))})`;
  switch (type.kind) {
    case "primitive":
      return primitiveSchema(ctx, type.name);
    case "list":
      return `${z}.array(${zodSchema(ctx, type.element)})`;
    case "map":
      ctx.zodHelpers.add("$map");
      return `$map(${zodSchema(ctx, type.key)}, ${zodSchema(ctx, type.value)}, ${JSON.stringify(mapKeyMode(ctx, type.key))})`;
    case "optional":
      ctx.zodHelpers.add("$optional");
      return `$optional(${zodSchema(ctx, type.inner)})`;
    case "tuple":
      return `${z}.tuple([${type.elements.map((element) => zodSchema(ctx, element)).join(", ")}])`;
    case "struct":
    case "enum":
      return `${z}.lazy(() => ${qualify(ctx, type.ref.package, schemaName(declTsName(type.ref)))})`;
    case "object":
    case "new_id":
      return `${z}.number().int().min(0).max(4294967295)`;
  }
}

/** An integer range check, for numbers or (64-bit) bigints. */
export function integerSchema(ctx: FileContext, name: string): string {
  const range = INTEGER_RANGES[name];
  if (range === undefined) throw new Error(`not an integer type: ${name}`);
  if (name === "i64" || name === "u64") {
    ctx.zodHelpers.add("$int64");
    return `$int64(${range[0]}n, ${range[1]}n)`;
  }
  return `${zod(ctx)}.number().int().min(${range[0]}).max(${range[1]})`;
}

function primitiveSchema(ctx: FileContext, name: PrimitiveName): string {
  const z = zod(ctx);
  if (INTEGER_RANGES[name] !== undefined) return integerSchema(ctx, name);
  switch (name) {
    case "bool":
      return `${z}.boolean()`;
    case "f32":
    case "f64":
      return `${z}.number()`;
    case "fixed":
      // Wayland 24.8 fixed point: a signed 32-bit integer divided by 256.
      return `${z}.number().min(-8388608).max(8388607.99609375)`;
    case "fd":
      return `${z}.number().int().min(0).max(2147483647)`;
    case "string":
    case "signature":
      return `${z}.string()`;
    case "objpath":
      return `${z}.string().regex(/^\\/$|^(\\/[A-Za-z0-9_]+)+$/)`;
    case "bytes":
      ctx.zodHelpers.add("$bytes");
      return "$bytes";
    default:
      return `${z}.unknown()`;
  }
}

/** How the keys of a map that arrived as a plain object are turned back into `K`. */
function mapKeyMode(ctx: FileContext, key: TypeModel): MapKeyMode {
  if (key.kind === "primitive") {
    if (key.name === "bool") return "boolean";
    if (BIGINT_PRIMITIVES.has(key.name)) return "bigint";
    if (NUMBER_PRIMITIVES.has(key.name)) return "number";
    return "text";
  }
  if (key.kind === "enum") {
    const decl = ctx.model.declarations.get(key.ref.qualifiedName);
    if (decl?.kind === "enum") return BIGINT_PRIMITIVES.has(decl.underlying) ? "bigint" : "number";
  }
  return "text";
}
