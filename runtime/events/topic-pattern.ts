/**
 * Event types (topics) and topic patterns of the event bus (spec 5.1.2 `event_type`).
 *
 * A topic is a dot-separated list of segments, each `[A-Za-z0-9_-]+`: `window.focused`,
 * `settings.org-nova-shell.theme`. A pattern may also use two wildcards as whole segments:
 * - `*` matches exactly one segment;
 * - `**` matches any number of segments, INCLUDING ZERO: `window.**` matches `window`,
 *   `window.a` and `window.a.b`; `**` alone matches every topic.
 * A wildcard inside a segment (`win*`) is not a wildcard but an invalid pattern, so a typo never
 * silently matches nothing. Anything else is an {@link IPCError} `InvalidEventType`.
 */
import { IPCError } from "../errors.js";

/** Longest topic or pattern, in UTF-16 units (topics travel in frame headers and log records). */
export const MAX_TOPIC_LENGTH = 255;
/** Most segments in a topic or pattern; bounds the work of one wildcard match. */
export const MAX_TOPIC_SEGMENTS = 32;

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** A value for an error message, without running its code (no toString/toJSON of an object). */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return `(a ${typeof value})`;
}

function invalid(kind: string, value: unknown, why: string): IPCError {
  return new IPCError("InvalidEventType", `invalid event ${kind} ${describe(value)}: ${why}`, {
    context: { [kind]: typeof value === "string" ? value : describe(value) },
  });
}

function splitChecked(kind: "type" | "pattern", value: unknown): string[] {
  if (typeof value !== "string") throw invalid(kind, value, "not a string");
  if (value.length === 0) throw invalid(kind, value, "empty");
  if (value.length > MAX_TOPIC_LENGTH) throw invalid(kind, value, `longer than ${MAX_TOPIC_LENGTH} characters`);
  const segments = value.split(".");
  if (segments.length > MAX_TOPIC_SEGMENTS) throw invalid(kind, value, `more than ${MAX_TOPIC_SEGMENTS} segments`);
  for (const s of segments) {
    if (kind === "pattern" && (s === "*" || s === "**")) continue;
    if (s.length === 0) throw invalid(kind, value, "empty segment");
    if (!SEGMENT.test(s)) {
      throw invalid(kind, value, kind === "type" || !s.includes("*") ? `segment "${s}" is not [A-Za-z0-9_-]+` : `wildcard inside segment "${s}"`);
    }
  }
  return segments;
}

/** Splits a concrete event type into segments; throws `InvalidEventType` (wildcards are not allowed here). */
export function parseTopic(topic: unknown): string[] {
  return splitChecked("type", topic);
}

/** Splits a topic pattern into segments (`*` and `**` allowed); throws `InvalidEventType`. */
export function parsePattern(pattern: unknown): string[] {
  return splitChecked("pattern", pattern);
}

/** True when `topic` is a valid concrete event type. */
export function isValidTopic(topic: unknown): topic is string {
  try {
    parseTopic(topic);
    return true;
  } catch {
    return false;
  }
}

/** True when `pattern` is a valid topic pattern. */
export function isValidPattern(pattern: unknown): pattern is string {
  try {
    parsePattern(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * Matches already-split segments the obvious way (the reference for the trie's property test, and
 * what a filter's `topic` predicate uses). Memoised on (pattern index, topic index), so a pattern
 * full of `**` stays polynomial.
 */
export function matchSegments(pattern: readonly string[], topic: readonly string[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (p: number, t: number): boolean => {
    if (p === pattern.length) return t === topic.length;
    const key = p * (topic.length + 1) + t;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const seg = pattern[p]!;
    let ok: boolean;
    if (seg === "**") ok = go(p + 1, t) || (t < topic.length && go(p, t + 1));
    else ok = t < topic.length && (seg === "*" || seg === topic[t]) && go(p + 1, t + 1);
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0);
}

/** True when the concrete `topic` matches `pattern`; both are validated (`InvalidEventType`). */
export function topicMatches(pattern: string, topic: string): boolean {
  return matchSegments(parsePattern(pattern), parseTopic(topic));
}
