/**
 * A tiny dotted-topic matcher for replay filters: `*` is exactly one segment,
 * `**` any number (zero or more). Private to the log; the bus has the real
 * trie (runtime/events). Invalid patterns (empty segments) give InvalidEventType.
 */
import { IPCError } from "../../errors.js";

/** Compiles `pattern` into a predicate on topics. */
export function compileTopicPattern(pattern: string): (topic: string) => boolean {
  const parts = pattern.split(".");
  if (pattern === "" || parts.some((p) => p === "" || (p.includes("*") && p !== "*" && p !== "**"))) {
    throw new IPCError("InvalidEventType", `invalid topic pattern ${JSON.stringify(pattern)}`, { context: { pattern } });
  }
  return (topic) => matchFrom(parts, 0, topic.split("."), 0);
}

function matchFrom(pat: string[], i: number, top: string[], j: number): boolean {
  for (; i < pat.length; i++, j++) {
    const p = pat[i]!;
    if (p === "**") {
      for (let k = j; k <= top.length; k++) if (matchFrom(pat, i + 1, top, k)) return true;
      return false;
    }
    if (j >= top.length || (p !== "*" && p !== top[j])) return false;
  }
  return j === top.length;
}
