/**
 * Content-hash ids of registry entries.
 *
 * An id must change exactly when the shape of a payload changes, so it hashes
 * the *shape* of the entry — names, kinds, types, values — and leaves out what
 * does not travel on the wire: docs, deprecation notes, the source file, the
 * package version and the id/refs bookkeeping. Because a struct's payload also
 * depends on the types it mentions, the id covers the shape hash of every type
 * reachable from the entry (a set, so recursive types need no special case).
 *
 * canonical form: JSON with object keys sorted by code unit, no whitespace,
 * `undefined` members dropped.
 */
import { createHash } from "node:crypto";
import type { SchemaEntry, SchemaEntryDraft, SchemaType } from "./schema-entry.js";

/** Keys that never contribute to an id (at any depth). */
const NON_SHAPE_KEYS: ReadonlySet<string> = new Set(["@generated", "id", "refs", "doc", "deprecated", "source", "packageVersion"]);

/** Serialises a JSON-compatible value canonically (sorted keys, no whitespace). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "number" || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(",")}]`;
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
  }
  throw new TypeError(`canonicalJson: ${typeof value} is not JSON`);
}

/** The canonical text of an entry's own shape. */
export function entryShape(entry: SchemaEntry | SchemaEntryDraft): string {
  return canonicalJson(stripNonShape(entry));
}

function stripNonShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNonShape);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (!NON_SHAPE_KEYS.has(key)) out[key] = stripNonShape(member);
  }
  return out;
}

/** sha256 of a string, as `sha256:<hex>`. */
export function sha256Id(text: string): string {
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

/** Qualified names of the types an entry mentions directly (named types and thrown errors), sorted. */
export function referencedNames(entry: SchemaEntry | SchemaEntryDraft): string[] {
  const names = new Set<string>();
  const visitType = (type: SchemaType): void => {
    switch (type.kind) {
      case "named":
        names.add(type.name);
        return;
      case "list":
        return visitType(type.element);
      case "optional":
        return visitType(type.inner);
      case "map":
        visitType(type.key);
        return visitType(type.value);
      case "tuple":
        return type.elements.forEach(visitType);
      default:
        return;
    }
  };
  switch (entry.kind) {
    case "struct":
    case "error":
      entry.fields.forEach((field) => visitType(field.type));
      break;
    case "typedef":
      visitType(entry.type);
      break;
    case "interface":
      for (const method of entry.methods) {
        [...method.params, ...method.results].forEach((field) => visitType(field.type));
        method.throws.forEach((name) => names.add(name));
      }
      entry.signals.forEach((signal) => signal.args.forEach((field) => visitType(field.type)));
      entry.properties.forEach((property) => visitType(property.type));
      break;
    default:
      break;
  }
  return [...names].sort();
}

/** Finds the entry (id not needed) for a qualified name, or undefined. */
export type EntryLookup = (name: string) => SchemaEntry | SchemaEntryDraft | undefined;

/** Result of {@link computeSchemaId}: the id, or the names that could not be found. */
export type SchemaIdResult = { ok: true; id: string } | { ok: false; missing: string[] };

/**
 * Computes an entry's id from its shape and the shapes of everything it
 * reaches. `lookup` resolves names; a name it cannot resolve makes the id
 * uncomputable (reported, never guessed).
 */
export function computeSchemaId(entry: SchemaEntry | SchemaEntryDraft, lookup: EntryLookup): SchemaIdResult {
  const reached = new Map<string, string>();
  const missing = new Set<string>();
  const queue = referencedNames(entry);
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (name === entry.name || reached.has(name) || missing.has(name)) continue;
    const dependency = lookup(name);
    if (dependency === undefined) {
      missing.add(name);
      continue;
    }
    reached.set(name, sha256Id(entryShape(dependency)));
    queue.push(...referencedNames(dependency));
  }
  if (missing.size > 0) return { ok: false, missing: [...missing].sort() };
  const deps = [...reached.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { ok: true, id: sha256Id(canonicalJson({ deps, shape: entryShape(entry) })) };
}
