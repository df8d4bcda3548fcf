/**
 * The `--format` option shared by check and generate (kept apart from the
 * compiler so parsing options does not load it).
 */

/** `human` (default) or `json` diagnostics. */
export type OutputFormat = "human" | "json";

/** Parses `--format`; undefined means invalid. */
export function parseFormat(value: string | undefined): OutputFormat | undefined {
  if (value === undefined || value === "human") return "human";
  return value === "json" ? "json" : undefined;
}
