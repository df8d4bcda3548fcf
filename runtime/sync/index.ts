/** Cross-process synchronisation primitives (spec 3.1.2, 4.1.4, 5.1.3, 6.3.3); see runtime/sync/README.md. */
export { SyncDomain, defaultSyncDomain, MAX_PARTICIPANTS, MAX_PRIMITIVES, type SyncDomainOptions } from "./domain.js";
export { Mutex, LockGuard, type LockOptions, type CreateMutexOptions, type LockStats } from "./mutex.js";
export { RwLock, RwLockGuard } from "./rwlock.js";
export { ConditionVariable } from "./condvar.js";
export { Semaphore } from "./semaphore.js";
export { findCycle, type Cycle } from "./wait-graph.js";
