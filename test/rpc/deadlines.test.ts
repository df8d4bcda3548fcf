/**
 * Call deadlines sharing one timer per timeout value: expiry order, removal,
 * mixed timeouts.
 */
import { describe, expect, it } from "vitest";
import { Deadlines } from "../../runtime/rpc/deadlines.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("Deadlines", () => {
  it("expires keys after their own timeout, in order, skipping removed ones", async () => {
    const expired: string[] = [];
    const started = performance.now();
    const at = new Map<string, number>();
    const d = new Deadlines<string>((k) => {
      expired.push(k);
      at.set(k, performance.now() - started);
    });
    d.add("a", 40);
    d.add("b", 40);
    d.add("slow", 120);
    d.add("fast", 10);
    d.add("gone", 40);
    d.remove("gone", 40);
    d.add("never", Infinity);
    await sleep(200);
    expect(expired).toEqual(["fast", "a", "b", "slow"]);
    expect(at.get("fast")!).toBeGreaterThanOrEqual(9);
    expect(at.get("a")!).toBeGreaterThanOrEqual(39);
    expect(at.get("slow")!).toBeGreaterThanOrEqual(119);
  });

  it("re-arms for the next key when the oldest was removed", async () => {
    const expired: string[] = [];
    const d = new Deadlines<string>((k) => expired.push(k));
    d.add("first", 30);
    await sleep(15);
    d.add("second", 30);
    d.remove("first", 30);
    await sleep(25);
    expect(expired).toEqual([]);
    await sleep(40);
    expect(expired).toEqual(["second"]);
    d.add("cleared", 10);
    d.clear();
    await sleep(30);
    expect(expired).toEqual(["second"]);
  });
});
