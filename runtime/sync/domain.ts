/**
 * A sync domain: one shared-memory region holding a table of named
 * synchronisation primitives and a table of participants (processes or
 * worker threads that use them), so that locks work across processes and a
 * wait-for graph can be walked in shared memory (deadlock detection).
 * Layout and protocols: runtime/sync/README.md.
 *
 * Every process (every worker thread: each has its own JS heap) takes one
 * participant slot on first use: pid, start time, and the primitive it is
 * waiting for. Lock words hold the owner's participant number, so the owner
 * of any lock can be found, checked for liveness, and followed to the lock
 * it waits for.
 */
import { isMainThread, threadId } from "node:worker_threads";
import { IPCError } from "../errors.js";
import { createRegion, openRegion, type SharedRegion } from "../shm/region.js";
import { ownStartTime, processAlive } from "../shm/process-identity.js";

/** Primitive kinds stored in a slot. */
export const enum Kind {
  Free = 0,
  Mutex = 1,
  RwLock = 2,
  CondVar = 3,
  Semaphore = 4,
}

const MAGIC = 0x4e53594e; // "NYSN"
const VERSION = 1;
/** Participant slots per domain (processes and worker threads using it at once). */
export const MAX_PARTICIPANTS = 1024;
/** Primitive slots per domain. */
export const MAX_PRIMITIVES = 4096;
/** Bytes of a primitive slot: 16 state words, then the name. */
export const SLOT_BYTES = 128;
/** Longest name in UTF-8 bytes. */
export const MAX_NAME_BYTES = 63;
const HEADER_BYTES = 64;
/** Longest wait for the table lock (held only for short table updates) before TimeoutExpired. */
const TABLE_LOCK_MS = 100;
const PARTICIPANT_BYTES = 16;
/** Bytes a domain needs (header, participants, primitives). */
export const DOMAIN_BYTES = HEADER_BYTES + MAX_PARTICIPANTS * PARTICIPANT_BYTES + MAX_PRIMITIVES * SLOT_BYTES;

/** Int32 indices in the domain header. */
const D = { magic: 0, version: 1, participants: 2, primitives: 3, tableLock: 4 } as const;
/** Int32 offsets inside a participant entry. */
export const P = { pid: 0, start: 1, waitingFor: 2, tid: 3 } as const;
/** Int32 offsets inside a primitive slot (README "Primitive slot"). */
export const S = { kind: 0, hash: 1, word: 2, flags: 3, a: 4, b: 5, c: 6, owner: 7, rank: 8 } as const;
/** Bits of the flags word. */
export const Flag = { Destroyed: 1, Poisoned: 2 } as const;

/** The lock word's owner field (participant number + 1, 0 = free). */
export const OWNER_MASK = 0xffff;
/** Set in a lock word while some process may be parked on it (unlock must wake). */
export const WAITERS = 0x40000000;
/** Set in a lock word while the owning participant has local (same-process) waiters queued. */
export const LOCALQ = 0x20000000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function hashName(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h | 1; // never 0
}

/** Options of {@link SyncDomain.open}. */
export interface SyncDomainOptions {
  /**
   * Lock-ordering enforcement (spec 6.3.3): mutexes must be taken in strictly
   * increasing `rank` by each participant; taking one out of order fails at
   * once with DeadlockDetected. Off by default. Per process: every process
   * using the domain decides for itself.
   */
  enforceLockOrder?: boolean;
}

/** A mapped sync domain and this process's participant in it. */
export class SyncDomain {
  /** Int32 view of the whole domain. */
  readonly words: Int32Array;
  /** This participant's number + 1 (the value lock words hold). */
  readonly me: number;
  readonly enforceLockOrder: boolean;
  readonly #region: SharedRegion;
  readonly #localQueues = new Map<number, unknown[]>();
  #closed = false;

  private constructor(region: SharedRegion, options: SyncDomainOptions) {
    this.#region = region;
    this.words = new Int32Array(region.buffer, region.dataOffset, DOMAIN_BYTES / 4);
    this.enforceLockOrder = options.enforceLockOrder === true;
    this.#initHeader();
    this.me = this.#join();
  }

  /**
   * Opens the domain `name` (the region `sync-<name>`; default "default"),
   * creating it when it does not exist yet. Every process that opens the same
   * name shares its primitives.
   */
  static open(name = "default", options: SyncDomainOptions = {}): SyncDomain {
    const regionName = `sync-${name}`;
    let region: SharedRegion;
    try {
      region = openRegion(regionName);
    } catch (error) {
      if (!(error instanceof IPCError) || error.code !== "RegionNotFound") throw error;
      try {
        region = createRegion(regionName, DOMAIN_BYTES);
      } catch (raced) {
        if (raced instanceof IPCError && raced.code === "RegionAlreadyExists") region = openRegion(regionName);
        else throw raced;
      }
    }
    if (region.size < DOMAIN_BYTES) {
      region.close();
      throw new IPCError("RegionNotFound", `region ${regionName} is too small to be a sync domain`, { context: { name } });
    }
    return new SyncDomain(region, options);
  }

  /** The region's name (for nova shm ls). */
  get regionName(): string | undefined {
    return this.#region.name;
  }

  #initHeader(): void {
    const w = this.words;
    // A fresh region is all zeros: the first opener writes the header (the table lock serialises it).
    this.#lockTable();
    try {
      if (w[D.magic] === 0) {
        w[D.version] = VERSION;
        w[D.participants] = MAX_PARTICIPANTS;
        w[D.primitives] = MAX_PRIMITIVES;
        Atomics.store(w, D.magic, MAGIC);
      }
    } finally {
      this.#unlockTable();
    }
    if (w[D.magic] !== MAGIC || w[D.version] !== VERSION || w[D.participants] !== MAX_PARTICIPANTS || w[D.primitives] !== MAX_PRIMITIVES) {
      throw new IPCError("RegionNotFound", "the region is not a sync domain of this version", { context: { magic: w[D.magic] } });
    }
  }

  /**
   * The table lock: a spin lock holding the locker's pid, taken only for
   * short table updates (creating a primitive, joining). A holder that died
   * is detected by its pid and the lock taken over.
   */
  #lockTable(): void {
    const w = this.words;
    const pid = process.pid;
    const deadline = performance.now() + TABLE_LOCK_MS;
    for (let spins = 0; ; spins++) {
      const cur = Atomics.compareExchange(w, D.tableLock, 0, pid);
      if (cur === 0) return;
      if (spins % 1024 === 1023) {
        if (!processAlive(cur, 0)) Atomics.compareExchange(w, D.tableLock, cur, 0);
        // A live holder that does not let go (stopped with SIGSTOP, say) must not freeze this event loop.
        else if (performance.now() > deadline) {
          throw new IPCError("TimeoutExpired", `the sync domain's table is locked by pid ${cur} for over ${TABLE_LOCK_MS} ms`, { context: { pid: cur } });
        }
      }
    }
  }

  #unlockTable(): void {
    Atomics.store(this.words, D.tableLock, 0);
  }

  /** Claims a participant slot (pid, start time, thread id); freed at exit. */
  #join(): number {
    const w = this.words;
    const start = ownStartTime() | 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < MAX_PARTICIPANTS; i++) {
        const at = participantIndex(i);
        if (Atomics.compareExchange(w, at + P.pid, 0, process.pid) === 0) {
          Atomics.store(w, at + P.start, start);
          Atomics.store(w, at + P.tid, threadId);
          Atomics.store(w, at + P.waitingFor, 0);
          if (isMainThread) leaveAtExit(this);
          return i + 1;
        }
      }
      // Full: free the slots of participants that died, then try again.
      for (let i = 0; i < MAX_PARTICIPANTS; i++) this.participantAlive(i + 1);
    }
    throw new IPCError("InsufficientResources", `sync domain has all ${MAX_PARTICIPANTS} participant slots taken`);
  }

  /** @internal Frees this participant's slot (at close, and at process exit). */
  leave(): void {
    this.#leave(this.me - 1);
  }

  #leave(i: number): void {
    const at = participantIndex(i);
    Atomics.store(this.words, at + P.waitingFor, 0);
    Atomics.store(this.words, at + P.pid, 0);
  }

  /**
   * Whether participant `p` (number + 1) is alive; a dead one's slot is freed.
   * Called only on slow paths (a wait that timed out, a deadlock walk).
   */
  participantAlive(p: number): boolean {
    const at = participantIndex(p - 1);
    const pid = Atomics.load(this.words, at + P.pid);
    if (pid === 0) return false;
    if (pid === process.pid) {
      // Another thread of this process (a worker): alive while its slot is held; its own exit frees it.
      return true;
    }
    if (processAlive(pid, Atomics.load(this.words, at + P.start) >>> 0)) return true;
    Atomics.compareExchange(this.words, at + P.pid, pid, 0);
    return false;
  }

  /**
   * The queue of this participant's tasks waiting for the lock in `slot`.
   * One per slot, shared by every handle opened on it through this domain
   * object: the participant is the owner, so whichever handle unlocks must
   * hand over to tasks queued through any other handle (a condition
   * variable's own mutex handle, a second Mutex.open). Called when a handle
   * is made, never on a lock path.
   */
  localQueue<T>(slot: number): T[] {
    let queue = this.#localQueues.get(slot);
    if (queue === undefined) this.#localQueues.set(slot, (queue = []));
    return queue as T[];
  }

  /** Sets (or clears, with 0) what this participant waits for: a primitive slot number + 1. */
  setWaitingFor(slot: number): void {
    Atomics.store(this.words, participantIndex(this.me - 1) + P.waitingFor, slot);
  }

  /**
   * Whether a live participant other than `except` waits for `slot` right
   * now (its waitingFor). A scan of the participant table: only for an
   * unlock whose futex wake found nobody parked, to tell a waiter on its way
   * into the kernel (keep the hand-off for it) from a stale WAITERS bit.
   */
  hasWaiter(slot: number, except: number): boolean {
    const want = slot + 1;
    for (let i = 0; i < MAX_PARTICIPANTS; i++) {
      const at = participantIndex(i);
      if (i + 1 === except || Atomics.load(this.words, at + P.waitingFor) !== want) continue;
      if (Atomics.load(this.words, at + P.pid) !== 0 && this.participantAlive(i + 1)) return true;
    }
    return false;
  }

  /** What participant `p` waits for (slot + 1, or 0). */
  waitingFor(p: number): number {
    return Atomics.load(this.words, participantIndex(p - 1) + P.waitingFor);
  }

  /** The pid of participant `p` (0 when free). */
  pidOf(p: number): number {
    return Atomics.load(this.words, participantIndex(p - 1) + P.pid);
  }

  /** Int32 index of slot `slot`'s first word. */
  slotIndex(slot: number): number {
    return (HEADER_BYTES + MAX_PARTICIPANTS * PARTICIPANT_BYTES + slot * SLOT_BYTES) / 4;
  }

  /**
   * Finds the primitive `name`, or creates it of `kind` with `init` run on its
   * words while the table is locked. `create` true: fails with `exists` when
   * it is there already; false: fails with `missing` when it is not.
   * Returns the slot number.
   */
  lookup(name: string, kind: Kind, mode: "create" | "open" | "either", init: (at: number) => void): { slot: number; created: boolean } {
    const bytes = encoder.encode(name);
    if (bytes.length === 0 || bytes.length > MAX_NAME_BYTES || bytes.includes(0)) {
      throw new IPCError("InvalidArgument", `a primitive name is 1..${MAX_NAME_BYTES} UTF-8 bytes without NUL, got ${JSON.stringify(name)}`, { context: { name } });
    }
    const hash = hashName(bytes);
    this.#lockTable();
    try {
      let free = -1;
      for (let slot = 0; slot < MAX_PRIMITIVES; slot++) {
        const at = this.slotIndex(slot);
        const k = Atomics.load(this.words, at + S.kind);
        if (k === Kind.Free) {
          if (free < 0) free = slot;
          continue;
        }
        if (this.words[at + S.hash] !== hash || this.nameOf(slot) !== name) continue;
        const destroyed = (Atomics.load(this.words, at + S.flags) & Flag.Destroyed) !== 0;
        if (destroyed) {
          // A destroyed primitive's name is free again: its slot is reused.
          if (mode === "open") break;
          this.#format(slot, kind, hash, bytes, init);
          return { slot, created: true };
        }
        if (k !== kind) {
          throw new IPCError("InvalidArgument", `${JSON.stringify(name)} is a ${kindName(k)}, not a ${kindName(kind)}`, { context: { name } });
        }
        if (mode === "create") return { slot: -1, created: false };
        return { slot, created: false };
      }
      if (mode === "open") return { slot: -1, created: false };
      if (free < 0) throw new IPCError("InsufficientResources", `sync domain has all ${MAX_PRIMITIVES} primitive slots taken`, { context: { name } });
      this.#format(free, kind, hash, bytes, init);
      return { slot: free, created: true };
    } finally {
      this.#unlockTable();
    }
  }

  #format(slot: number, kind: Kind, hash: number, bytes: Uint8Array, init: (at: number) => void): void {
    const at = this.slotIndex(slot);
    for (let i = 0; i < 16; i++) Atomics.store(this.words, at + i, 0);
    const name = new Uint8Array(this.words.buffer, this.words.byteOffset + (at + 16) * 4, 64);
    name.fill(0);
    name.set(bytes);
    this.words[at + S.hash] = hash;
    init(at);
    Atomics.store(this.words, at + S.kind, kind); // published last
  }

  /** The name stored in `slot`. */
  nameOf(slot: number): string {
    const at = this.slotIndex(slot);
    const raw = new Uint8Array(this.words.buffer, this.words.byteOffset + (at + 16) * 4, 64);
    const end = raw.indexOf(0);
    return decoder.decode(raw.slice(0, end < 0 ? 64 : end));
  }

  /** Leaves the domain (frees this participant slot) and unmaps it; primitives opened from it must not be used after. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    open.delete(this);
    this.#leave(this.me - 1);
    this.#region.close();
  }
}

/** Domains of this process still open, whose participant slots are freed at exit. */
const open = new Set<SyncDomain>();
let exitHook = false;
function leaveAtExit(domain: SyncDomain): void {
  open.add(domain);
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const d of open) d.leave();
  });
}

function participantIndex(i: number): number {
  return (HEADER_BYTES + i * PARTICIPANT_BYTES) / 4;
}

function kindName(kind: number): string {
  return ["free slot", "mutex", "rwlock", "condition variable", "semaphore"][kind] ?? `kind ${kind}`;
}

let defaultDomain: SyncDomain | undefined;

/** The process's default domain ("default", region sync-default), opened on first use. */
export function defaultSyncDomain(): SyncDomain {
  defaultDomain ??= SyncDomain.open();
  return defaultDomain;
}
