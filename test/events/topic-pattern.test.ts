/**
 * Topics and patterns (spec 5.1.2 event_type): what is valid, and what the wildcards mean.
 * The trie is checked against an independent regex matcher with fast-check.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidPattern, isValidTopic, parsePattern, parseTopic, topicMatches } from "../../runtime/events/topic-pattern.js";
import { TopicTrie } from "../../runtime/events/topic-trie.js";
import { thrownCode } from "../helpers/ipc-error.js";

/** The reference matcher: each topic segment as `.seg`; `*` = one segment, `**` = zero or more. */
function naiveMatch(pattern: string, topic: string): boolean {
  const re = pattern
    .split(".")
    .map((s) => (s === "**" ? "(?:\\.[^.]+)*" : s === "*" ? "\\.[^.]+" : `\\.${s.replace(/[-]/g, "\\-")}`))
    .join("");
  return new RegExp(`^${re}$`).test(`.${topic}`);
}

describe("topics and patterns", () => {
  it.each(["window", "window.focused", "settings.org-nova-shell.theme_2", "A.b-c.D_9"])("accepts topic %s", (t) => {
    expect(isValidTopic(t)).toBe(true);
    expect(parseTopic(t)).toEqual(t.split("."));
  });

  it.each(["", ".", "window.", ".window", "a..b", "win dow", "window.*", "a.**", "ä.b", "a/b", "x".repeat(256), Array(33).fill("a").join(".")])(
    "rejects topic %j with InvalidEventType",
    (t) => {
      expect(thrownCode(() => parseTopic(t))).toBe("InvalidEventType");
      expect(isValidTopic(t)).toBe(false);
    },
  );

  it("rejects non-strings as topics and patterns with InvalidEventType", () => {
    for (const v of [undefined, null, 42, {}, ["a"]]) {
      expect(thrownCode(() => parseTopic(v))).toBe("InvalidEventType");
      expect(thrownCode(() => parsePattern(v))).toBe("InvalidEventType");
    }
  });

  it.each(["*", "**", "window.*", "window.**", "**.closed", "a.*.c", "a.**.c", "**.**", "*.*"])("accepts pattern %s", (p) => {
    expect(isValidPattern(p)).toBe(true);
  });

  it.each(["win*", "window.foc*", "a.***", "a.*b", "", "a..*", "*.", "a b.*"])("rejects pattern %j with InvalidEventType", (p) => {
    expect(thrownCode(() => parsePattern(p))).toBe("InvalidEventType");
  });

  it("`*` matches exactly one segment", () => {
    expect(topicMatches("window.*", "window.focused")).toBe(true);
    expect(topicMatches("window.*", "window")).toBe(false);
    expect(topicMatches("window.*", "window.a.b")).toBe(false);
    expect(topicMatches("*.closed", "tab.closed")).toBe(true);
  });

  it("`**` matches any number of segments, including zero", () => {
    expect(topicMatches("window.**", "window")).toBe(true);
    expect(topicMatches("window.**", "window.a")).toBe(true);
    expect(topicMatches("window.**", "window.a.b.c")).toBe(true);
    expect(topicMatches("window.**", "windows.a")).toBe(false);
    expect(topicMatches("**", "anything.at.all")).toBe(true);
    expect(topicMatches("a.**.z", "a.z")).toBe(true);
    expect(topicMatches("a.**.z", "a.b.c.z")).toBe(true);
    expect(topicMatches("**.z", "z")).toBe(true);
    expect(topicMatches("a.**.z", "a.b.c")).toBe(false);
  });
});

const seg = fc.constantFrom("a", "b", "c");
const patSeg = fc.constantFrom("a", "b", "c", "*", "**");
const topicArb = fc.array(seg, { minLength: 1, maxLength: 6 }).map((s) => s.join("."));
const patternArb = fc.array(patSeg, { minLength: 1, maxLength: 6 }).map((s) => s.join("."));

/**
 * Where a `**` of `pattern` can absorb zero segments of `topic`: the pattern without that `**`
 * still matches. Returns the positions found ("start", "middle", "end").
 */
function zeroSegmentGlobstars(pattern: string, topic: string): Set<string> {
  const segs = pattern.split(".");
  const out = new Set<string>();
  segs.forEach((s, k) => {
    if (s !== "**" || segs.length === 1) return;
    const without = segs.filter((_, j) => j !== k).join(".");
    if (naiveMatch(without, topic)) out.add(k === 0 ? "start" : k === segs.length - 1 ? "end" : "middle");
  });
  return out;
}

describe("TopicTrie", () => {
  it("matches exactly what the naive matcher matches, over random patterns (with * and ** anywhere) and topics", () => {
    // Counted over the run, then required: the random cases really include `**` at the start, in
    // the middle and at the end of a pattern matching zero segments, and `*`/`**` non-matches.
    const seen = { start: 0, middle: 0, end: 0, onlyGlobstar: 0, starMiss: 0, matches: 0, misses: 0 };
    fc.assert(
      fc.property(fc.uniqueArray(patternArb, { minLength: 1, maxLength: 12 }), fc.array(topicArb, { minLength: 1, maxLength: 8 }), (patterns, topics) => {
        const trie = new TopicTrie<string>();
        for (const p of patterns) expect(trie.add(parsePattern(p), p)).toBe(true);
        expect(trie.size).toBe(patterns.length);
        for (const t of topics) {
          const got = trie.match(parseTopic(t)).sort();
          const want = patterns.filter((p) => naiveMatch(p, t)).sort();
          expect(got).toEqual(want);
          for (const p of patterns) {
            const hit = naiveMatch(p, t);
            expect(topicMatches(p, t)).toBe(hit);
            if (hit) {
              seen.matches++;
              for (const where of zeroSegmentGlobstars(p, t)) seen[where as "start" | "middle" | "end"]++;
              if (p === "**") seen.onlyGlobstar++;
            } else {
              seen.misses++;
              if (p.split(".").includes("*")) seen.starMiss++;
            }
          }
        }
      }),
      { numRuns: 400 },
    );
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
  });

  it("the naive matcher itself: `**` matches zero segments at the start, in the middle and at the end", () => {
    expect(naiveMatch("**.a", "a")).toBe(true);
    expect(naiveMatch("a.**.b", "a.b")).toBe(true);
    expect(naiveMatch("a.**", "a")).toBe(true);
    expect(naiveMatch("**", "a.b.c")).toBe(true);
    expect(naiveMatch("a.*", "a")).toBe(false);
    expect(naiveMatch("a.**.b", "a.c")).toBe(false);
    expect([...zeroSegmentGlobstars("**.a.**.b.**", "a.b")].sort()).toEqual(["end", "middle", "start"]);
  });

  it("still matches the naive matcher after removing a random subset (and prunes nothing it should keep)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(patternArb, { minLength: 1, maxLength: 12 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), topicArb, (patterns, drop, t) => {
        const trie = new TopicTrie<string>();
        for (const p of patterns) trie.add(parsePattern(p), p);
        const kept = patterns.filter((p, i) => {
          if (!drop[i]) return true;
          expect(trie.remove(parsePattern(p), p)).toBe(true);
          expect(trie.remove(parsePattern(p), p)).toBe(false);
          return false;
        });
        expect(trie.size).toBe(kept.length);
        expect(trie.match(parseTopic(t)).sort()).toEqual(kept.filter((p) => naiveMatch(p, t)).sort());
      }),
      { numRuns: 300 },
    );
  });

  it("returns a value once even when several `**` paths reach it", () => {
    const trie = new TopicTrie<string>();
    trie.add(parsePattern("**.b.**"), "x");
    trie.add(parsePattern("**.**.**"), "y");
    expect(trie.match(parseTopic("b.b.b.b")).sort()).toEqual(["x", "y"]);
  });

  it("stays fast on a pathological pattern of many `**` against a long topic", () => {
    const trie = new TopicTrie<number>();
    trie.add(parsePattern(Array(16).fill("**").concat("z").join(".")), 1);
    // Without the visited set this is C(47,16) paths; with it, a few thousand steps.
    expect(trie.match(parseTopic(Array(31).fill("a").concat("y").join(".")))).toEqual([]);
  });
});
