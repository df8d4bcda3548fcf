/**
 * Deadlock detection (spec 4.1.4, 6.3.3): the wait-for graph lives in shared
 * memory. Each participant entry says which primitive it waits for; each
 * lock word (or a rwlock's writer word) says which participant holds it. A
 * waiter follows "lock -> owner -> the lock that owner waits for -> its
 * owner ..." and reports a deadlock when the walk comes back to itself.
 * Every waiter records what it waits for BEFORE it walks, so of two
 * processes closing a cycle at the same moment at least one sees it
 * (sequentially consistent stores and loads); waiters walk again after every
 * park slice, so a cycle closed later is found too.
 */
import { Kind, OWNER_MASK, S, type SyncDomain } from "./domain.js";

/** A cycle found: the participants' pids in order, and a readable description. */
export interface Cycle {
  readonly pids: number[];
  readonly description: string;
}

/** The participant holding `slot` (0: none, or not a lock with one owner). */
export function ownerOf(domain: SyncDomain, slot: number): number {
  const at = domain.slotIndex(slot);
  const kind = Atomics.load(domain.words, at + S.kind);
  if (kind === Kind.Mutex) {
    const owner = Atomics.load(domain.words, at + S.word) & OWNER_MASK;
    return owner === OWNER_MASK ? 0 : owner;
  }
  if (kind === Kind.RwLock) return Atomics.load(domain.words, at + S.owner);
  return 0;
}

/** Walks from what participant `me` waits for; returns the cycle through `me`, if any. */
export function findCycle(domain: SyncDomain, me: number): Cycle | undefined {
  const steps: string[] = [];
  const pids: number[] = [domain.pidOf(me)];
  let waitsFor = domain.waitingFor(me);
  // A cycle has at most one step per participant; the bound also stops a walk through a changing graph.
  for (let hops = 0; hops < 1024 && waitsFor !== 0; hops++) {
    const slot = waitsFor - 1;
    const owner = ownerOf(domain, slot);
    if (owner === 0) return undefined;
    steps.push(`${domain.nameOf(slot)} held by pid ${domain.pidOf(owner)}`);
    if (owner === me) return { pids, description: `pid ${pids[0]} waits for ${steps.join(", which waits for ")}` };
    pids.push(domain.pidOf(owner));
    waitsFor = domain.waitingFor(owner);
  }
  return undefined;
}

/**
 * The wait-for steps of one contended wait, the same for every lock kind:
 * record what this participant waits for (before walking, so of two waiters
 * closing a cycle together at least one sees it), walk, and report a cycle
 * only when it is seen on two walks a park slice apart: a lock held by
 * another task of a participant that is not itself waiting is released soon,
 * and was no deadlock.
 */
export class CycleWatch {
  #suspect = false;

  constructor(
    private readonly domain: SyncDomain,
    private readonly slot: number,
  ) {}

  /** A cycle was seen on the last walk: the caller waits out a whole slice before the next. */
  get suspect(): boolean {
    return this.#suspect;
  }

  /** One round before parking; returns the confirmed cycle, if any. `walk` false: only record (nothing to follow). */
  check(walk = true): Cycle | undefined {
    this.domain.setWaitingFor(this.slot + 1);
    const cycle = walk ? findCycle(this.domain, this.domain.me) : undefined;
    const confirmed = this.#suspect ? cycle : undefined;
    this.#suspect = cycle !== undefined;
    return confirmed;
  }
}
