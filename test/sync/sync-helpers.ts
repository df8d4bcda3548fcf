/** Helpers of the sync tests: a private domain per test, and child processes that use it. */
import { SyncDomain } from "../../runtime/sync/index.js";
import { dist, startScript } from "../shm/shm-helpers.js";
import type { Proc } from "../cli/processes.js";

let seq = 0;

/** A fresh domain with a name unique to this test (its region: sync-<name>). */
export function freshDomain(options: ConstructorParameters<typeof Object>[0] = {}): { domain: SyncDomain; name: string } {
  const name = `t${process.pid}-${seq++}`;
  return { domain: SyncDomain.open(name, options as never), name };
}

/**
 * Starts a child that opens domain `domainName` and runs `body` (an async
 * function body with `d` = the domain and the sync module's exports in scope).
 */
export function syncChild(domainName: string, body: string, label = "sync child"): Proc {
  return startScript(
    `
    const sync = await import(${dist("runtime/sync/index.js")});
    const { SyncDomain, Mutex, RwLock, ConditionVariable, Semaphore } = sync;
    const d = SyncDomain.open(${JSON.stringify(domainName)});
    const say = (line) => console.log(line);
    ${body}
  `,
    label,
  );
}
