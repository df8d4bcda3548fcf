/**
 * Readable and deterministic JSON: keys sorted by code unit at every depth,
 * two-space indentation, `undefined` members left out.
 */

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) sorted[key] = sortKeys(record[key]);
  }
  return sorted;
}

/** `JSON.stringify` with sorted keys and 2-space indentation. */
export function prettyCanonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}
