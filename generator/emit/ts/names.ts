/**
 * Turning NIDL names into TypeScript names. NIDL allows back-quoted names that
 * are not identifiers (`disable-printing`, `90`) and names that are keywords
 * in TypeScript (`interface`, `default`), so every name printed as code goes
 * through here; property keys keep the wire name and are quoted when needed.
 */

import { ECMASCRIPT_RESERVED_WORDS } from "../../targets/ts-identifier.js";
import { RUNTIME_TYPE_SYMBOLS, RUNTIME_VALUE_SYMBOLS } from "./runtime-symbols.js";

/** Words that cannot be a binding name in strict-mode TypeScript modules. */
const RESERVED: ReadonlySet<string> = new Set([
  ...ECMASCRIPT_RESERVED_WORDS,
  // type names a declaration must not shadow in a generated file
  "any", "boolean", "never", "number", "object", "string", "symbol", "undefined", "unknown", "bigint",
  "Array", "Map", "Promise", "Uint8Array", "Error", "Record",
  // globals and imports the generated code itself uses
  "z", "Object", "BigInt", "Number",
  ...RUNTIME_VALUE_SYMBOLS, ...RUNTIME_TYPE_SYMBOLS,
]);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** True when `name` can be printed as a bare identifier. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** Splits a name into words at `_`, `-`, `.`, spaces and lower→upper case changes. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `wl_output` → `WlOutput`, `Urgency` → `Urgency`, `90` → `_90`, `Map` → `Map_` (a declaration name). */
export function pascalCase(name: string): string {
  return safeBinding(pascalWords(name));
}

/** The PascalCase words of a name, for suffixes of member names (`onStateChanged`, `getDisablePrinting`). */
export function pascalWords(name: string): string {
  const joined = words(name).map(capitalize).join("");
  return joined.length === 0 ? "Unnamed" : joined;
}

/** `app_name` → `appName`, `Notify` → `notify`. Names that already are identifiers keep their case. */
export function camelCase(name: string): string {
  if (isIdentifier(name) && !name.includes("_")) return safeBinding(name.charAt(0).toLowerCase() + name.slice(1));
  const parts = words(name);
  if (parts.length === 0) return "unnamed";
  const joined = (parts[0] as string).toLowerCase() + parts.slice(1).map(capitalize).join("");
  return safeBinding(joined);
}

/** A usable binding name: identifiers starting with a digit get `_`, reserved words get a trailing `_`. */
export function safeBinding(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, "_");
  const leading = /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
  return RESERVED.has(leading) ? `${leading}_` : leading;
}

/** A property key as written in an object type or literal: bare when possible, else quoted. */
export function propertyKey(name: string): string {
  // In an object literal even a quoted `"__proto__":` sets the prototype; only a computed key does not.
  if (name === "__proto__") return '["__proto__"]';
  return isIdentifier(name) ? name : JSON.stringify(name);
}

/**
 * A method name: camelCase. Reserved words are fine as member names
 * (`client.delete()`), so only `constructor` (special in a class) and
 * `__proto__` are renamed.
 */
export function memberName(name: string): string {
  const parts = words(name);
  let camel: string;
  if (isIdentifier(name) && !name.includes("_")) camel = name.charAt(0).toLowerCase() + name.slice(1);
  else if (parts.length === 0) camel = "unnamed";
  else camel = (parts[0] as string).toLowerCase() + parts.slice(1).map(capitalize).join("");
  if (/^[0-9]/.test(camel)) camel = `_${camel}`;
  return camel === "constructor" || camel === "__proto__" ? `${camel}_` : camel;
}

/** Escapes text for a JSDoc block (`*\/` would end it early). */
export function docText(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

/** A property access: `.name` when possible, else `["name"]`. */
export function propertyAccess(name: string): string {
  return isIdentifier(name) && name !== "__proto__" ? `.${name}` : `[${JSON.stringify(name)}]`;
}
