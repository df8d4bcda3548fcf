/**
 * The in-process throughput cases of the events suite, each set up on its
 * own so that it can run alone in a fresh process (events-inproc-peer.ts):
 * an EventEmitter or EventBus whose call sites have seen only this case's
 * handlers, for the bus exactly as for the baseline.
 */
import { EventEmitter } from "node:events";
import { createEventBus, type BusEvent } from "../../runtime/events/index.js";

/** Distinct topics the round-robin cases cycle through (a power of two). */
export const ROUND_ROBIN = 64;
/** Handlers (and distinct topics) of the 10k-handler bus. */
export const TEN_K = 10_000;

/** The cases, in the order they run in each round. */
export const CASES = ["ee", "exact", "wild", "wildRr", "tenK", "tenKRr"] as const;
export type CaseName = (typeof CASES)[number];

/** One case: `body(n)` performs n emits; `check()` says whether every emit reached its handler exactly once. */
export interface InprocCase {
  body(n: number): void;
  check(): string | undefined;
  /** What it emits to, for the log. */
  readonly detail: string;
}

/**
 * 1,000 patterns a desktop might register beside `window.**`, none on the
 * `window` prefix: exact topics (`app<i>.state.changed`,
 * `settings.app<i>.theme`), prefix wildcards (`notify.app<i>.*`,
 * `workspace<i>.**`), a wildcard in the middle (`app<i>.*.closed`) and a few
 * leading ones (`*.metric<i>`, `**.alarm<i>`), which the trie must walk for
 * every topic.
 */
export function otherPatterns(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1000; i++) {
    switch (i % 6) {
      case 0:
        out.push(`app${i}.state.changed`);
        break;
      case 1:
        out.push(`settings.app${i}.theme`);
        break;
      case 2:
        out.push(`notify.app${i}.*`);
        break;
      case 3:
        out.push(`workspace${i}.**`);
        break;
      case 4:
        out.push(`app${i}.*.closed`);
        break;
      default:
        out.push(i % 2 === 0 ? `*.metric${i}` : `**.alarm${i}`);
    }
  }
  return out;
}

/** Sets up one case (see the events.bench.ts file comment for what each measures). */
export function makeCase(name: CaseName): InprocCase {
  let sum = 0;
  let calls = 0;
  let emitted = 0;
  let stray = 0;
  const count = (e: BusEvent): void => {
    sum += e.data as number;
    calls++;
  };
  const check = (): string | undefined =>
    calls !== emitted ? `${name}: ${emitted} emits but ${calls} handler calls` : stray !== 0 ? `${name}: the other patterns matched ${stray} events` : sum < 0 ? "impossible" : undefined;
  const mask = ROUND_ROBIN - 1;
  switch (name) {
    case "ee": {
      const ee = new EventEmitter();
      ee.on("window.focused", (data: number) => {
        sum += data;
        calls++;
      });
      return { detail: "window.focused", check, body: (n) => { for (let i = 0; i < n; i++) ee.emit("window.focused", i); emitted += n; } };
    }
    case "exact": {
      const bus = createEventBus();
      bus.registerEventHandler("window.focused", count);
      return { detail: "window.focused", check, body: (n) => { for (let i = 0; i < n; i++) bus.emit("window.focused", i); emitted += n; } };
    }
    case "wild":
    case "wildRr": {
      const bus = createEventBus();
      for (const p of otherPatterns()) bus.registerEventHandler(p, () => void stray++);
      bus.registerEventHandler("window.**", count);
      if (name === "wild") return { detail: "window.opened", check, body: (n) => { for (let i = 0; i < n; i++) bus.emit("window.opened", i); emitted += n; } };
      const topics = Array.from({ length: ROUND_ROBIN }, (_, i) => `window.w${i}.geometry`);
      return { detail: "64 window.* topics", check, body: (n) => { for (let i = 0; i < n; i++) bus.emit(topics[i & mask]!, i); emitted += n; } };
    }
    case "tenK":
    case "tenKRr": {
      const bus = createEventBus();
      for (let i = 0; i < TEN_K; i++) bus.registerEventHandler(`app.t${i}.changed`, (e: BusEvent) => count(e));
      if (name === "tenK") {
        // "Emit to one of them": a different one each run, so no topic is favoured.
        const one = `app.t${Math.floor(Math.random() * TEN_K)}.changed`;
        return { detail: one, check, body: (n) => { for (let i = 0; i < n; i++) bus.emit(one, i); emitted += n; } };
      }
      // Spread over the 10,000 topics, not neighbours.
      const topics = Array.from({ length: ROUND_ROBIN }, (_, i) => `app.t${(i * 157) % TEN_K}.changed`);
      return { detail: "64 of the 10,000 topics", check, body: (n) => { for (let i = 0; i < n; i++) bus.emit(topics[i & mask]!, i); emitted += n; } };
    }
  }
}
