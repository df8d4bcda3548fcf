/**
 * Call deadlines sharing one timer per timeout value: expiry order, removal,
 * mixed timeouts. Checks allow for a loaded machine: lower bounds on when keys
 * expire, and waits that poll instead of assuming timers fire on time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Deadlines, type Timed } from "../../runtime/rpc/deadlines.js";

/** A named entry, as the RPC client's pending calls are. */
interface Named extends Timed {
  name: string;
}

const entries = new Map<string, Named>();
function e(name: string): Named {
  let entry = entries.get(name);
  if (!entry) {
    entry = { name, expiresAt: 0, timed: false };
    entries.set(name, entry);
  }
  return entry;
}

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
    const d = new Deadlines<Named>(({ name: k }) => {
      expired.push(k);
      at.set(k, performance.now() - started);
    });
    d.add(e("a"), 40);
    d.add(e("b"), 40);
    d.add(e("slow"), 120);
    d.add(e("fast"), 10);
    d.add(e("gone"), 40);
    d.remove(e("gone"), 40);
    d.add(e("never"), Infinity);
    await until(() => expired.length === 4);
    await sleep(50);
    expect(expired).toEqual(["fast", "a", "b", "slow"]);
    expect(at.get("fast")!).toBeGreaterThanOrEqual(9);
    expect(at.get("a")!).toBeGreaterThanOrEqual(39);
    expect(at.get("slow")!).toBeGreaterThanOrEqual(119);
  });

  it("re-arms for the next key when the oldest was removed, and stops when cleared", async () => {
    const expired: string[] = [];
    const d = new Deadlines<Named>((k) => expired.push(k.name));
    const t0 = performance.now();
    d.add(e("first"), 300);
    await sleep(100);
    const secondAdded = performance.now();
    d.add(e("second"), 300);
    d.remove(e("first"), 300);
    await until(() => expired.length > 0);
    expect(expired).toEqual(["second"]);
    expect(performance.now() - secondAdded).toBeGreaterThanOrEqual(299);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(399);
    d.add(e("cleared"), 10);
    d.clear();
    await sleep(60);
    expect(expired).toEqual(["second"]);
  });

  it("keeps the ring as short as the calls in flight when calls settle in order, and squeezes out settled ones stuck behind a pending one", async () => {
    const expired: string[] = [];
    const d = new Deadlines<Named>((k) => expired.push(k.name));
    const make = (name: string): Named => ({ name, expiresAt: 0, timed: false });
    for (let i = 0; i < 10_000; i++) {
      const call = make(`c${i}`);
      d.add(call, 5000);
      d.remove(call, 5000);
    }
    expect(d.size).toBe(0);
    // A burst of 5,000 in flight at once, then drained: the ring goes back to its initial size.
    const burst = Array.from({ length: 5000 }, (_, i) => make(`b${i}`));
    for (const call of burst) d.add(call, 5000);
    expect(d.slots).toBeGreaterThanOrEqual(5000);
    for (const call of burst) d.remove(call, 5000);
    expect(d.size).toBe(0);
    expect(d.slots).toBe(8);
    // One long-pending call, then many quick ones behind it: all but it are dropped.
    const stuck = make("stuck");
    d.add(stuck, 150);
    const quick: Named[] = [];
    for (let i = 0; i < 5000; i++) {
      const call = make(`q${i}`);
      d.add(call, 150);
      quick.push(call);
      if (i >= 10) d.remove(quick[i - 10], 150); // ten in flight at a time
    }
    expect(d.size).toBe(11);
    await until(() => expired.length === 11);
    expect(expired).toEqual(["stuck", ...quick.slice(-10).map((c) => c.name)]);
    expect(d.size).toBe(0);
    expect(stuck.timed).toBe(false);
  });

  it("tracks exactly the entries added and not removed, over random sequences and three timeouts", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(1000)), { maxLength: 400 }), (ops) => {
        const d = new Deadlines<Named>(() => undefined);
        const timeouts = new Map<Named, number>();
        const live = new Set<Named>();
        const all: Named[] = [];
        for (const [add, pick] of ops) {
          if (add || all.length === 0) {
            const entry: Named = { name: String(all.length), expiresAt: 0, timed: false };
            const timeoutMs = 60_000 + (pick % 3);
            d.add(entry, timeoutMs);
            timeouts.set(entry, timeoutMs);
            all.push(entry);
            live.add(entry);
          } else {
            const entry = all[pick % all.length];
            d.remove(entry, timeouts.get(entry)!);
            live.delete(entry);
          }
          expect(d.size).toBe(live.size);
        }
        for (const entry of all) expect(entry.timed).toBe(live.has(entry));
        d.clear();
        expect(d.size).toBe(0);
      }),
    );
  });
});
