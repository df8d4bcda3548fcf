/**
 * The bounded queue of async/broadcast events: one FIFO per priority, so a high-priority event
 * overtakes queued normal and low ones while events of one priority keep their emit order
 * (hence FIFO per topic and per publisher within a priority).
 */
import type { BusEvent } from "./types.js";

class Fifo {
  private items: (BusEvent | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(ev: BusEvent): void {
    this.items.push(ev);
  }

  shift(): BusEvent | undefined {
    if (this.head === this.items.length) return undefined;
    const ev = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact now and then instead of Array#shift (which is O(n) per call on large arrays).
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return ev;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** Three FIFOs indexed by priority rank (0 high, 1 normal, 2 low). */
export class PriorityEventQueue {
  private readonly lanes = [new Fifo(), new Fifo(), new Fifo()] as const;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(rank: number, ev: BusEvent): void {
    this.lanes[rank]!.push(ev);
    this.count++;
  }

  /** The oldest event of the highest non-empty priority. */
  shift(): BusEvent | undefined {
    for (const lane of this.lanes) {
      const ev = lane.shift();
      if (ev !== undefined) {
        this.count--;
        return ev;
      }
    }
    return undefined;
  }

  clear(): void {
    for (const lane of this.lanes) lane.clear();
    this.count = 0;
  }
}
