/**
 * Call deadlines sharing one timer per timeout value: expiry order, removal,
 * mixed timeouts. Checks allow for a loaded machine: lower bounds on when keys
 * expire, and waits that poll instead of assuming timers fire on time.
 */
import { describe, expect, it } from "vitest";
import { Deadlines } from "../../runtime/rpc/deadlines.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await sleep(5);
  }
}

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
    await until(() => expired.length === 4);
    await sleep(50);
    expect(expired).toEqual(["fast", "a", "b", "slow"]);
    expect(at.get("fast")!).toBeGreaterThanOrEqual(9);
    expect(at.get("a")!).toBeGreaterThanOrEqual(39);
    expect(at.get("slow")!).toBeGreaterThanOrEqual(119);
  });

  it("re-arms for the next key when the oldest was removed, and stops when cleared", async () => {
    const expired: string[] = [];
    const d = new Deadlines<string>((k) => expired.push(k));
    const t0 = performance.now();
    d.add("first", 300);
    await sleep(100);
    const secondAdded = performance.now();
    d.add("second", 300);
    d.remove("first", 300);
    await until(() => expired.length > 0);
    expect(expired).toEqual(["second"]);
    expect(performance.now() - secondAdded).toBeGreaterThanOrEqual(299);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(399);
    d.add("cleared", 10);
    d.clear();
    await sleep(60);
    expect(expired).toEqual(["second"]);
  });
});
