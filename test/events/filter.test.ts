/**
 * Declarative event filters (spec 5.1.2 EventFilter): operators, validation (InvalidFilter), and
 * the wire round trip a daemon relies on (serialise -> parse -> same verdict), property-tested
 * against an independent reference evaluator.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileEventFilter, parseEventFilter, serializeEventFilter, type EventFilter, type FilterScalar } from "../../runtime/events/filter.js";
import { topicMatches } from "../../runtime/events/topic-pattern.js";
import { thrownCode } from "../helpers/ipc-error.js";

const data = { workspace: 2, app: { id: "org.nova.term", pid: 4242 }, title: "shell", urgent: false, gone: null, list: ["x"] };
const verdict = (f: unknown, type = "window.focused", d: unknown = data) => compileEventFilter(f)(type, d);

describe("event filter operators", () => {
  it.each<[string, EventFilter, boolean]>([
    ["eq number", { field: "workspace", eq: 2 }, true],
    ["eq on a nested path", { field: "app.id", eq: "org.nova.term" }, true],
    ["eq false", { field: "urgent", eq: false }, true],
    ["eq null", { field: "gone", eq: null }, true],
    ["eq does not coerce", { field: "workspace", eq: "2" }, false],
    ["in", { field: "workspace", in: [1, 2, 3] }, true],
    ["in miss", { field: "workspace", in: [5] }, false],
    ["range inclusive", { field: "app.pid", range: { gte: 4242, lte: 4242 } }, true],
    ["range exclusive", { field: "app.pid", range: { gt: 4242 } }, false],
    ["range on strings", { field: "title", range: { gte: "s", lt: "t" } }, true],
    ["range is typed", { field: "title", range: { gt: 0 } }, false],
    ["prefix", { field: "app.id", prefix: "org.nova." }, true],
    ["prefix on a number is false", { field: "workspace", prefix: "2" }, false],
    ["exists", { field: "app.pid", exists: true }, true],
    ["exists false on a missing field", { field: "app.nope", exists: false }, true],
    ["missing field", { field: "app.nope", eq: null }, false],
    ["path through a scalar", { field: "title.length", eq: 5 }, false],
    ["array index step", { field: "list.0", eq: "x" }, true],
    ["no prototype walk", { field: "app.constructor", exists: true }, false],
    ["no __proto__ walk", { field: "__proto__", exists: true }, false],
    ["topic", { topic: "window.*" }, true],
    ["topic miss", { topic: "settings.**" }, false],
    ["and", { and: [{ topic: "window.**" }, { field: "workspace", eq: 2 }] }, true],
    ["and short", { and: [{ field: "workspace", eq: 2 }, { field: "urgent", eq: true }] }, false],
    ["or", { or: [{ field: "workspace", eq: 9 }, { field: "urgent", eq: false }] }, true],
    ["not", { not: { field: "app.id", prefix: "org.nova." } }, false],
  ])("%s", (_name, f, want) => {
    expect(verdict(f)).toBe(want);
  });

  it("a non-object event payload fails every field test but `exists: false`", () => {
    expect(verdict({ field: "a", eq: 1 }, "t", 7)).toBe(false);
    expect(verdict({ field: "a", exists: false }, "t", undefined)).toBe(true);
  });
});

describe("event filter validation: InvalidFilter", () => {
  const tooDeep: unknown = Array.from({ length: 40 }).reduce<unknown>((f) => ({ not: f }), { field: "a", eq: 1 });
  it.each<[string, unknown]>([
    ["not an object", "workspace == 2"],
    ["null", null],
    ["array", [{ field: "a", eq: 1 }]],
    ["unknown operator", { field: "a", like: "x%" }],
    ["two operators", { field: "a", eq: 1, in: [1] }],
    ["no operator", { field: "a" }],
    ["empty field", { field: "", eq: 1 }],
    ["empty path step", { field: "a..b", eq: 1 }],
    ["eq with an object", { field: "a", eq: { x: 1 } }],
    ["eq with NaN", { field: "a", eq: Number.NaN }],
    ["in not an array", { field: "a", in: 1 }],
    ["in with an object", { field: "a", in: [1, {}] }],
    ["empty range", { field: "a", range: {} }],
    ["range bad bound", { field: "a", range: { above: 1 } }],
    ["range mixed types", { field: "a", range: { gt: 1, lt: "z" } }],
    ["prefix number", { field: "a", prefix: 1 }],
    ["exists string", { field: "a", exists: "yes" }],
    ["empty and", { and: [] }],
    ["or not an array", { or: { field: "a", eq: 1 } }],
    ["bad child", { and: [{ field: "a", eq: 1 }, { bogus: true }] }],
    ["bad topic pattern", { topic: "win*" }],
    ["extra key beside and", { and: [{ field: "a", eq: 1 }], or: [] }],
    ["a class instance", new Map()],
    ["nested too deep", tooDeep],
    ["too many nodes", { field: "a", in: Array.from({ length: 2000 }, (_, i) => i) }],
  ])("%s", (_name, f) => {
    expect(thrownCode(() => compileEventFilter(f))).toBe("InvalidFilter");
  });

  it("malformed JSON on the wire is InvalidFilter too", () => {
    expect(thrownCode(() => parseEventFilter("{field:"))).toBe("InvalidFilter");
    expect(thrownCode(() => parseEventFilter('{"field":"a"}'))).toBe("InvalidFilter");
  });
});

// ---- property: serialise -> parse -> same verdict, and both equal a reference evaluator ----

const scalarArb: fc.Arbitrary<FilterScalar> = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom("", "x", "xy", "y"), fc.boolean(), fc.constant(null));
const fieldArb = fc.constantFrom("a", "b", "a.b", "c.d", "c");
const leafArb: fc.Arbitrary<EventFilter> = fc.oneof(
  fc.record({ field: fieldArb, eq: scalarArb }),
  fc.record({ field: fieldArb, in: fc.array(scalarArb, { maxLength: 4 }) }),
  fc.record({ field: fieldArb, range: fc.record({ gt: fc.integer({ min: -3, max: 3 }), lte: fc.integer({ min: -3, max: 3 }) }, { requiredKeys: ["gt"] }) }),
  fc.record({ field: fieldArb, range: fc.record({ gte: fc.constantFrom("", "x", "y") }) }),
  fc.record({ field: fieldArb, prefix: fc.constantFrom("", "x", "y") }),
  fc.record({ field: fieldArb, exists: fc.boolean() }),
  fc.record({ topic: fc.constantFrom("a.*", "a.**", "**", "*.b", "b") }),
);
const filterArb: fc.Arbitrary<EventFilter> = fc.letrec<{ f: EventFilter }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafArb,
    fc.record({ and: fc.array(tie("f"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ or: fc.array(tie("f"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie("f") }),
  ),
})).f;
const dataArb = fc.record(
  { a: fc.oneof(scalarArb, fc.record({ b: scalarArb }, { requiredKeys: [] })), b: scalarArb, c: fc.oneof(scalarArb, fc.record({ d: scalarArb }, { requiredKeys: [] })) },
  { requiredKeys: [] },
);
const typeArb = fc.constantFrom("a", "b", "a.b", "a.b.c", "x.b");

function get(d: unknown, path: string): { ok: boolean; v?: unknown } {
  let v: unknown = d;
  for (const s of path.split(".")) {
    if (typeof v !== "object" || v === null || !(s in v)) return { ok: false };
    v = (v as Record<string, unknown>)[s];
  }
  return { ok: true, v };
}

/** Written from the README's definition, independently of filter.ts. */
function reference(f: EventFilter, type: string, d: unknown): boolean {
  if ("and" in f) return f.and.every((g) => reference(g, type, d));
  if ("or" in f) return f.or.some((g) => reference(g, type, d));
  if ("not" in f) return !reference(f.not, type, d);
  if ("topic" in f) return topicMatches(f.topic, type);
  const { ok, v } = get(d, f.field);
  if ("exists" in f) return ok === f.exists;
  if (!ok) return false;
  if ("eq" in f) return v === f.eq;
  if ("in" in f) return f.in.includes(v as FilterScalar);
  if ("prefix" in f) return typeof v === "string" && v.startsWith(f.prefix);
  const r = f.range;
  const bounds = Object.values(r);
  if (typeof v !== typeof bounds[0]) return false;
  const x = v as number;
  return (r.gt === undefined || x > (r.gt as number)) && (r.gte === undefined || x >= (r.gte as number)) && (r.lt === undefined || x < (r.lt as number)) && (r.lte === undefined || x <= (r.lte as number));
}

describe("event filter wire round trip (property)", () => {
  it("serialise -> parse gives a filter with the same verdict, equal to the reference evaluator", () => {
    fc.assert(
      fc.property(filterArb, typeArb, dataArb, (f, type, d) => {
        const wire = serializeEventFilter(f);
        const back = parseEventFilter(wire);
        expect(back).toEqual(JSON.parse(wire));
        const want = reference(f, type, d);
        expect(compileEventFilter(f)(type, d)).toBe(want);
        expect(compileEventFilter(back)(type, d)).toBe(want);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("compiled predicates never throw", () => {
  it("an invalid event type simply fails a topic test", () => {
    const p = compileEventFilter({ or: [{ topic: "**" }, { field: "a", eq: 1 }] });
    expect(p("not..valid", { a: 2 })).toBe(false);
    expect(p("not..valid", { a: 1 })).toBe(true);
    expect(p("fine", {})).toBe(true);
  });
});
