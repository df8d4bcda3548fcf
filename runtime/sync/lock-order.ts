/**
 * Lock-ordering enforcement (spec 6.3.3, SyncDomainOptions.enforceLockOrder):
 * the ranks of the mutexes this participant holds, per domain, so that a
 * lock taken out of increasing-rank order fails at once instead of risking a
 * deadlock. Per participant (process or worker thread), not per async task.
 */
import type { SyncDomain } from "./domain.js";

/** The ranks held through ordered domains, in acquisition order. */
const ranksByDomain = new WeakMap<SyncDomain, number[]>();
/** The ranks this participant holds in `domain` (created empty on first use). */
export function heldRanks(domain: SyncDomain): number[] {
  let held = ranksByDomain.get(domain);
  if (held === undefined) ranksByDomain.set(domain, (held = []));
  return held;
}
/** Forgets one hold of `rank` (the latest), at unlock or hand-over. */
export function dropRank(domain: SyncDomain, rank: number): void {
  const held = heldRanks(domain);
  const k = held.lastIndexOf(rank);
  if (k >= 0) held.splice(k, 1);
}
