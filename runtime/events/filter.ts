/**
 * Declarative event filters (spec 5.1.2 `EventFilter`): plain JSON, so the same filter can be
 * sent to the bus daemon and evaluated there, before an event ever crosses a socket.
 *
 * ```json
 * {"and": [{"topic": "window.*"}, {"field": "workspace", "eq": 2},
 *          {"not": {"field": "app.id", "prefix": "org.nova.internal."}}]}
 * ```
 *
 * Leaves test the event type (`topic`, a pattern) or a dotted path into the event data
 * (`field`): `eq`, `in`, `range` (`gt`/`gte`/`lt`/`lte`, numbers or strings, never mixed),
 * `prefix` (strings) and `exists`. A path step reads only own properties, so `__proto__` or
 * `constructor` never reach the prototype. A missing field makes every operator false except
 * `exists: false`; an invalid event type matches no `topic` test (a predicate never throws). Filters are validated when registered: a bad one is `InvalidFilter`.
 */
import { IPCError } from "../errors.js";
import { isValidTopic, matchSegments, parsePattern, parseTopic } from "./topic-pattern.js";

/** A JSON scalar a filter can compare with. */
export type FilterScalar = string | number | boolean | null;

/** Bounds of a `range` test; at least one is required. */
export interface FilterRange {
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
}

/** One node of an event filter. */
export type EventFilter =
  | { topic: string }
  | { field: string; eq: FilterScalar }
  | { field: string; in: FilterScalar[] }
  | { field: string; range: FilterRange }
  | { field: string; prefix: string }
  | { field: string; exists: boolean }
  | { and: EventFilter[] }
  | { or: EventFilter[] }
  | { not: EventFilter };

/** A compiled filter: true when the event (type + data) passes. */
export type EventPredicate = (type: string, data: unknown) => boolean;

/** Nesting limit: filters come from other processes and must not blow the stack. */
export const MAX_FILTER_DEPTH = 32;
/** Node limit (leaves + combinators + `in` members), for the same reason. */
export const MAX_FILTER_NODES = 1024;

/** Topics remembered per `topic` predicate. */
const TOPIC_MEMO_SIZE = 1024;

const FIELD_OPS = ["eq", "in", "range", "prefix", "exists"] as const;
const RANGE_KEYS = ["gt", "gte", "lt", "lte"] as const;

function bad(path: string, why: string): IPCError {
  return new IPCError("InvalidFilter", `invalid event filter at ${path}: ${why}`, { context: { path } });
}

function isScalar(v: unknown): v is FilterScalar {
  return v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function splitField(field: unknown, path: string): string[] {
  if (typeof field !== "string" || field.length === 0) throw bad(path, "`field` must be a non-empty dotted path");
  const steps = field.split(".");
  if (steps.some((s) => s.length === 0)) throw bad(path, `empty step in field path "${field}"`);
  return steps;
}

/** Returned by {@link readField} for a missing field (a sentinel, so evaluating allocates nothing). */
const MISSING: unique symbol = Symbol("missing");

function readField(data: unknown, steps: readonly string[]): unknown {
  let v = data;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (typeof v !== "object" || v === null || !Object.hasOwn(v, s)) return MISSING;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

function compileRange(r: unknown, path: string): (v: unknown) => boolean {
  if (!isPlainObject(r)) throw bad(path, "`range` must be an object");
  const keys = Object.keys(r);
  if (keys.length === 0) throw bad(path, "`range` needs at least one of gt, gte, lt, lte");
  let kind: "number" | "string" | undefined;
  for (const k of keys) {
    if (!(RANGE_KEYS as readonly string[]).includes(k)) throw bad(path, `unknown range bound "${k}"`);
    const b = r[k];
    const t = typeof b === "number" && Number.isFinite(b) ? "number" : typeof b === "string" ? "string" : undefined;
    if (t === undefined) throw bad(path, `range bound "${k}" must be a finite number or a string`);
    if (kind !== undefined && kind !== t) throw bad(path, "range bounds mix numbers and strings");
    kind = t;
  }
  const { gt, gte, lt, lte } = r as FilterRange;
  return (v) =>
    typeof v === kind &&
    (gt === undefined || (v as number) > (gt as number)) &&
    (gte === undefined || (v as number) >= (gte as number)) &&
    (lt === undefined || (v as number) < (lt as number)) &&
    (lte === undefined || (v as number) <= (lte as number));
}

function compileNode(node: unknown, path: string, depth: number, budget: { nodes: number }): EventPredicate {
  if (depth > MAX_FILTER_DEPTH) throw bad(path, `nested deeper than ${MAX_FILTER_DEPTH}`);
  if (++budget.nodes > MAX_FILTER_NODES) throw bad(path, `more than ${MAX_FILTER_NODES} nodes`);
  if (!isPlainObject(node)) throw bad(path, "a filter node must be a JSON object");
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0] === "and" || keys[0] === "or")) {
    const op = keys[0];
    const list = node[op];
    if (!Array.isArray(list) || list.length === 0) throw bad(path, `\`${op}\` needs a non-empty array`);
    const parts = list.map((n, i) => compileNode(n, `${path}.${op}[${i}]`, depth + 1, budget));
    // Plain loops: `every`/`some` with an arrow would allocate a closure per evaluated event.
    return op === "and"
      ? (t, d) => {
          for (let i = 0; i < parts.length; i++) if (!parts[i]!(t, d)) return false;
          return true;
        }
      : (t, d) => {
          for (let i = 0; i < parts.length; i++) if (parts[i]!(t, d)) return true;
          return false;
        };
  }
  if (keys.length === 1 && keys[0] === "not") {
    const inner = compileNode(node.not, `${path}.not`, depth + 1, budget);
    return (t, d) => !inner(t, d);
  }
  if (keys.length === 1 && keys[0] === "topic") {
    let pattern: string[];
    try {
      pattern = parsePattern(node.topic);
    } catch (e) {
      throw new IPCError("InvalidFilter", `invalid event filter at ${path}: bad topic pattern`, { cause: e, context: { path } });
    }
    // Memoised per topic: a bus evaluates the same few topics over and over. An invalid topic
    // (only possible outside a bus) simply does not match: a predicate never throws.
    const memo = new Map<string, boolean>();
    return (t) => {
      let hit = memo.get(t);
      if (hit === undefined) {
        hit = isValidTopic(t) && matchSegments(pattern, parseTopic(t));
        if (memo.size >= TOPIC_MEMO_SIZE) memo.clear();
        memo.set(t, hit);
      }
      return hit;
    };
  }
  if (keys.length !== 2 || !keys.includes("field")) {
    throw bad(path, `expected {and|or|not|topic} or {field, ${FIELD_OPS.join("|")}}, got keys [${keys.join(", ")}]`);
  }
  const steps = splitField(node.field, path);
  const op = keys.find((k) => k !== "field")!;
  const arg = node[op];
  let test: (v: unknown) => boolean;
  switch (op) {
    case "eq":
      if (!isScalar(arg)) throw bad(path, "`eq` takes a JSON scalar (string, finite number, boolean, null)");
      test = (v) => v === arg;
      break;
    case "in": {
      if (!Array.isArray(arg) || !arg.every(isScalar)) throw bad(path, "`in` takes an array of JSON scalars");
      budget.nodes += arg.length;
      if (budget.nodes > MAX_FILTER_NODES) throw bad(path, `more than ${MAX_FILTER_NODES} nodes`);
      const set = new Set<unknown>(arg);
      test = (v) => set.has(v);
      break;
    }
    case "range":
      test = compileRange(arg, path);
      break;
    case "prefix":
      if (typeof arg !== "string") throw bad(path, "`prefix` takes a string");
      test = (v) => typeof v === "string" && v.startsWith(arg);
      break;
    case "exists":
      if (typeof arg !== "boolean") throw bad(path, "`exists` takes a boolean");
      return (_t, d) => (readField(d, steps) !== MISSING) === arg;
    default:
      throw bad(path, `unknown operator "${op}"`);
  }
  return (_t, d) => {
    const v = readField(d, steps);
    return v !== MISSING && test(v);
  };
}

/** Validates a filter and compiles it to a predicate; throws `InvalidFilter`. */
export function compileEventFilter(filter: unknown): EventPredicate {
  return compileNode(filter, "$", 0, { nodes: 0 });
}

/** Throws `InvalidFilter` unless `filter` is a well-formed {@link EventFilter}. */
export function validateEventFilter(filter: unknown): asserts filter is EventFilter {
  compileEventFilter(filter);
}

/** The filter's wire form (JSON text). */
export function serializeEventFilter(filter: EventFilter): string {
  validateEventFilter(filter);
  return JSON.stringify(filter);
}

/** Parses and validates a filter's wire form; malformed JSON is `InvalidFilter` too. */
export function parseEventFilter(text: string): EventFilter {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new IPCError("InvalidFilter", "event filter is not valid JSON", { cause: e });
  }
  validateEventFilter(value);
  return value;
}

/**
 * The topic pattern a filter restricts events to, when that can be read off its top level
 * (`{topic}` or an `and` containing one), so a subscription can be indexed in the topic trie
 * instead of testing every event. `"**"` when the filter does not constrain the topic.
 */
export function filterTopicPattern(filter: EventFilter): string {
  if ("topic" in filter) return filter.topic;
  if ("and" in filter) for (const f of filter.and) if ("topic" in f) return f.topic;
  return "**";
}
