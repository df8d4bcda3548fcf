/**
 * Call-cycle (deadlock) detection across processes.
 *
 * Every process has a random node id. While a server handler runs, the chain
 * of node ids that are waiting on it (the caller's chain plus this node) is
 * the "current chain"; a call made from inside the handler carries it in its
 * Request. A server that finds its own node id in an incoming chain is being
 * asked to serve a call its own caller is waiting on (A waits on B waits on
 * A): it answers `DeadlockDetected` instead of running the handler. With
 * blocking callers, as the spec assumes, that call would hang forever;
 * refusing it makes the failure immediate and identical for every peer,
 * whatever its threading model.
 *
 * Cost: on Node 20 an AsyncLocalStorage, once used, turns on async hooks for
 * every promise and callback of the process, and `run` costs a context
 * switch per served call. A chain only matters when a handler can call out, which
 * needs an RPC client in this process. So the chain is kept in a plain
 * variable for the synchronous part of every handler (free), and the
 * AsyncLocalStorage — which carries it across `await`s — is only used once
 * this process has created an RPC client ({@link enableAsyncChains}). A pure
 * server never pays for it. The one case this misses: a handler of a process
 * that had no client yet, which connects its first client and calls out after
 * an `await` within that same handler; its outgoing call then carries no
 * chain (every later handler carries it).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomInt } from "node:crypto";

/** This process's node id (48 random bits: a safe integer in every format). */
export const NODE_ID: number = randomInt(1, 2 ** 48 - 1);

const storage = new AsyncLocalStorage<readonly number[]>();
/** True once a client exists: from then on chains are carried across awaits. */
let asyncChains = false;
/** The chain of the handler running synchronously right now (sync mode only). */
let syncChain: readonly number[] | undefined;

/** Called when an RPC client is created: handlers may call out from now on, across awaits too. */
export function enableAsyncChains(): void {
  asyncChains = true;
}

/** True when chains are carried across awaits (for tests and monitoring). */
export function asyncChainsEnabled(): boolean {
  return asyncChains;
}

/** The chain to send with a call made right now (undefined outside any handler). */
export function currentChain(): readonly number[] | undefined {
  if (syncChain !== undefined) return syncChain;
  return asyncChains ? storage.getStore() : undefined;
}

/** True when serving a request with `chain` would close a cycle through this node. */
export function closesCycle(chain: readonly number[], nodeId: number = NODE_ID): boolean {
  return chain.includes(nodeId);
}

const singleChains = new Map<number, readonly number[]>();

function extend(chain: readonly number[], nodeId: number): readonly number[] {
  if (chain.length > 0) return [...chain, nodeId];
  // The common case (a call from outside any handler) shares one frozen array per node.
  let single = singleChains.get(nodeId);
  if (!single) {
    single = Object.freeze([nodeId]);
    singleChains.set(nodeId, single);
  }
  return single;
}

/** Runs `fn` with `chain + this node` as the current chain. */
export function runInChain<T>(chain: readonly number[], fn: () => T, nodeId: number = NODE_ID): T {
  const next = extend(chain, nodeId);
  if (asyncChains) return storage.run(next, fn);
  const previous = syncChain;
  syncChain = next;
  try {
    return fn();
  } finally {
    syncChain = previous;
  }
}
