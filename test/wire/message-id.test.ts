import { describe, expect, it } from "vitest";
import { MessageIdGenerator, nextMessageId, nowNs } from "../../runtime/wire/message-id.js";

describe("message ids and timestamps", () => {
  it("a generator counts up from a random non-zero start below 2^63", () => {
    const g = new MessageIdGenerator();
    const a = g.next();
    expect(a).toBeGreaterThan(0n);
    expect(a).toBeLessThan(1n << 63n);
    expect(g.next()).toBe(a + 1n);
    expect(new MessageIdGenerator().next()).not.toBe(a);
  });

  it("ids are unique per sender and never 0, even across the u64 wrap", () => {
    const g = new MessageIdGenerator((1n << 64n) - 2n);
    expect([g.next(), g.next(), g.next()]).toEqual([(1n << 64n) - 2n, (1n << 64n) - 1n, 1n]);
    const seen = new Set<bigint>();
    for (let i = 0; i < 10_000; i++) seen.add(nextMessageId());
    expect(seen.size).toBe(10_000);
    expect(seen.has(0n)).toBe(false);
  });

  it("timestamps are ns since the epoch and never go backwards", () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const a = nowNs();
    const b = nowNs();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(a - before).toBeLessThan(5_000_000_000n);
    expect(a - before).toBeGreaterThan(-5_000_000_000n);
  });
});
