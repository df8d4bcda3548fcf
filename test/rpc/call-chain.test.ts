/**
 * Call chains are carried without AsyncLocalStorage until this process has
 * an RPC client (a pure server never pays for async hooks), and across
 * awaits once it has one. vitest gives every test file its own module
 * instances, so this file starts with no client in the process.
 */
import { describe, expect, it } from "vitest";
import { asyncChainsEnabled, closesCycle, currentChain, enableAsyncChains, runInChain } from "../../runtime/rpc/call-chain.js";

describe("call chains", () => {
  it("without a client: the chain is current during the handler's synchronous part only, nested calls restore it", async () => {
    expect(asyncChainsEnabled()).toBe(false);
    expect(currentChain()).toBeUndefined();
    const seen: Array<readonly number[] | undefined> = [];
    let afterAwait: Promise<readonly number[] | undefined> | undefined;
    runInChain([1], () => {
      seen.push(currentChain());
      runInChain([1, 2], () => seen.push(currentChain()), 3);
      seen.push(currentChain());
      afterAwait = Promise.resolve().then(() => currentChain());
    }, 2);
    expect(seen).toEqual([[1, 2], [1, 2, 3], [1, 2]]);
    expect(currentChain()).toBeUndefined();
    expect(await afterAwait).toBeUndefined();
    expect(() => runInChain([], () => {
      throw new Error("handler failed");
    }, 5)).toThrow("handler failed");
    expect(currentChain()).toBeUndefined();
  });

  it("with a client: the chain survives awaits inside the handler", async () => {
    enableAsyncChains();
    expect(asyncChainsEnabled()).toBe(true);
    const later = runInChain([7], async () => {
      await new Promise((r) => setTimeout(r, 1));
      return currentChain();
    }, 8);
    expect(currentChain()).toBeUndefined();
    expect(await later).toEqual([7, 8]);
    expect(closesCycle([7, 8], 8)).toBe(true);
    expect(closesCycle([7, 8], 9)).toBe(false);
  });
});
