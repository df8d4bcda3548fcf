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
