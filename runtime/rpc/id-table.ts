/**
 * Calls in flight by message id: an open-addressing hash table on the id's
 * low 32 bits, with Robin Hood linear probing and backward-shift deletion.
 *
 * Why not a `Map<bigint, V>`: a long-lived Map that gains and loses an entry
 * per call reallocates its hash table every few operations, in the old
 * generation when the Map lives there (see deadlines.ts); this table only
 * allocates when it grows, and when it empties after a burst (it then goes
 * back to its initial size; it never shrinks while holding entries). Message
 * ids come from counters (wire/message-id.ts), so the ids in flight at once
 * are nearly consecutive and mostly sit in their home slots. Robin Hood
 * order (along a run of occupied slots the home slots never decrease) lets a
 * lookup stop early and a deletion shift back only the entries displaced
 * past the hole: both O(1) for such ids. Any ids work; adversarial ones (equal
 * low bits) only make probes longer.
 */

const LOW_BITS = 0xffff_ffffn;
/** Slots of a new table (a power of two). */
const INITIAL_SLOTS = 16;
/** A table that empties with more slots than this goes back to INITIAL_SLOTS (after a burst). */
const SHRINK_ABOVE = 1024;

/** A map from message id to `V`; see the file comment. */
export class IdTable<V> {
  #ids: Array<bigint | undefined> = new Array<bigint | undefined>(INITIAL_SLOTS).fill(undefined);
  #values: Array<V | undefined> = new Array<V | undefined>(INITIAL_SLOTS).fill(undefined);
  /** The low 32 bits of each slot's id: its home slot under any mask, without bigint arithmetic. */
  #lows = new Uint32Array(INITIAL_SLOTS);
  #mask = INITIAL_SLOTS - 1;
  #size = 0;

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** The value stored under `id`, if any. */
  get(id: bigint): V | undefined {
    const i = this.#find(id);
    return i < 0 ? undefined : this.#values[i];
  }

  /** Stores `value` under `id` (replacing what was there). */
  set(id: bigint, value: V): void {
    const existing = this.#find(id);
    if (existing >= 0) {
      this.#values[existing] = value;
      return;
    }
    // At most half full: probes stay short.
    if ((this.#size + 1) * 2 > this.#ids.length) this.#grow();
    this.#insert(id, lowOf(id), value);
    this.#size++;
  }

  /** Removes `id`; returns its value, or undefined when it was not there. */
  delete(id: bigint): V | undefined {
    const i = this.#find(id);
    if (i < 0) return undefined;
    const ids = this.#ids;
    const values = this.#values;
    const lows = this.#lows;
    const mask = this.#mask;
    const value = values[i];
    // Backward shift: the entries after the hole that are not in their home slot move back one.
    let hole = i;
    for (let j = (i + 1) & mask; ids[j] !== undefined && ((j - lows[j]) & mask) !== 0; j = (j + 1) & mask) {
      ids[hole] = ids[j];
      values[hole] = values[j];
      lows[hole] = lows[j];
      hole = j;
    }
    ids[hole] = undefined;
    values[hole] = undefined;
    if (--this.#size === 0 && ids.length > SHRINK_ABOVE) this.#reset();
    return value;
  }

  /** Every value, in no particular order (a copy: safe to delete while iterating it). */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.#ids.length; i++) if (this.#ids[i] !== undefined) out.push(this.#values[i] as V);
    return out;
  }

  /** Every id with its value (a copy). */
  entries(): Array<[bigint, V]> {
    const out: Array<[bigint, V]> = [];
    for (let i = 0; i < this.#ids.length; i++) {
      const id = this.#ids[i];
      if (id !== undefined) out.push([id, this.#values[i] as V]);
    }
    return out;
  }

  /** Removes everything. */
  clear(): void {
    if (this.#ids.length > SHRINK_ABOVE) this.#reset();
    else {
      this.#ids.fill(undefined);
      this.#values.fill(undefined);
    }
    this.#size = 0;
  }

  /** Number of slots (for tests: growth and shrinking). */
  get capacity(): number {
    return this.#ids.length;
  }

  #reset(): void {
    this.#ids = new Array<bigint | undefined>(INITIAL_SLOTS).fill(undefined);
    this.#values = new Array<V | undefined>(INITIAL_SLOTS).fill(undefined);
    this.#lows = new Uint32Array(INITIAL_SLOTS);
    this.#mask = INITIAL_SLOTS - 1;
  }

  /** The slot holding `id`, or -1. */
  #find(id: bigint): number {
    const ids = this.#ids;
    const lows = this.#lows;
    const mask = this.#mask;
    const low = lowOf(id);
    let i = low & mask;
    for (let distance = 0; ; distance++, i = (i + 1) & mask) {
      const key = ids[i];
      // An empty slot, or an entry closer to its home than we are to ours: `id` is not here.
      if (key === undefined || ((i - lows[i]) & mask) < distance) return -1;
      if (key === id) return i;
    }
  }

  /** Robin Hood insertion of an id known to be absent, with room to spare. */
  #insert(id: bigint, low: number, value: V): void {
    const ids = this.#ids;
    const values = this.#values;
    const lows = this.#lows;
    const mask = this.#mask;
    let i = low & mask;
    for (let distance = 0; ; distance++, i = (i + 1) & mask) {
      const key = ids[i];
      if (key === undefined) {
        ids[i] = id;
        values[i] = value;
        lows[i] = low;
        return;
      }
      const theirs = (i - lows[i]) & mask;
      if (theirs < distance) {
        // Take the slot from the entry nearer its home; carry that one on.
        const carriedValue = values[i] as V;
        const carriedLow = lows[i];
        ids[i] = id;
        values[i] = value;
        lows[i] = low;
        id = key;
        value = carriedValue;
        low = carriedLow;
        distance = theirs;
      }
    }
  }

  #grow(): void {
    const oldIds = this.#ids;
    const oldValues = this.#values;
    const oldLows = this.#lows;
    const slots = oldIds.length * 2;
    this.#ids = new Array<bigint | undefined>(slots).fill(undefined);
    this.#values = new Array<V | undefined>(slots).fill(undefined);
    this.#lows = new Uint32Array(slots);
    this.#mask = slots - 1;
    for (let i = 0; i < oldIds.length; i++) {
      const id = oldIds[i];
      if (id !== undefined) this.#insert(id, oldLows[i], oldValues[i] as V);
    }
  }
}

/** The low 32 bits of an id, as a number. */
function lowOf(id: bigint): number {
  return Number(id & LOW_BITS);
}
