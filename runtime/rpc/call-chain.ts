/**
 * Call-cycle (deadlock) detection across processes.
 *
 * Every process has a random node id. While a server handler runs, the chain
 * of node ids that are waiting on it (the caller's chain plus this node) is
 * kept in an AsyncLocalStorage; a call made from inside the handler carries
 * that chain in its Request. A server that finds its own node id in an
 * incoming chain is being asked to serve a call its own caller is waiting
 * on (A waits on B waits on A): it answers `DeadlockDetected` instead of
 * running the handler. With blocking callers, as the spec assumes, that call
 * would hang forever; refusing it makes the failure immediate and identical
 * for every peer, whatever its threading model.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomInt } from "node:crypto";

/** This process's node id (48 random bits: a safe integer in every format). */
export const NODE_ID: number = randomInt(1, 2 ** 48 - 1);

const storage = new AsyncLocalStorage<readonly number[]>();

/** The chain to send with a call made right now (empty outside any handler). */
export function currentChain(): readonly number[] | undefined {
  return storage.getStore();
}

/** True when serving a request with `chain` would close a cycle through this node. */
export function closesCycle(chain: readonly number[], nodeId: number = NODE_ID): boolean {
  return chain.includes(nodeId);
}

const singleChains = new Map<number, readonly number[]>();

/** Runs `fn` with `chain + this node` as the current chain. */
export function runInChain<T>(chain: readonly number[], fn: () => T, nodeId: number = NODE_ID): T {
  if (chain.length > 0) return storage.run([...chain, nodeId], fn);
  // The common case (a call from outside any handler) shares one frozen array per node.
  let single = singleChains.get(nodeId);
  if (!single) {
    single = Object.freeze([nodeId]);
    singleChains.set(nodeId, single);
  }
  return storage.run(single, fn);
}
