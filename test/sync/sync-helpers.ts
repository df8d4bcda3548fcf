/** Helpers of the sync tests: a private domain per test, and child processes that use it. */
import { SyncDomain, type SyncDomainOptions } from "../../runtime/sync/index.js";
import { dist, startScript } from "../shm/shm-helpers.js";
import type { Proc } from "../cli/processes.js";
import { afterEach } from "vitest";
import { expectNoShmLeft } from "../shm/shm-helpers.js";

let seq = 0;

/** A fresh domain with a name unique to this test (its region: sync-<name>). */
export function freshDomain(options: SyncDomainOptions = {}): { domain: SyncDomain; name: string } {
  const name = `t${process.pid}-${seq++}`;
  return { domain: SyncDomain.open(name, options), name };
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

/**
 * Per-test fixtures: `domain()` opens a fresh domain, `children` collects child
 * processes; after each test the children are killed, the domains closed, and
 * no region of this file's domains may be left in /dev/shm.
 */
export function useSyncFixtures(): { domain: (options?: SyncDomainOptions) => { d: SyncDomain; name: string }; children: Proc[] } {
  const domains: SyncDomain[] = [];
  const children: Proc[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) await c.stop("SIGKILL").catch(() => c.exited); // it may have exited on its own
    for (const d of domains.splice(0)) d.close();
    expectNoShmLeft(`sync-t${process.pid}-`);
  });
  return {
    children,
    domain(options = {}) {
      const { domain: d, name } = freshDomain(options);
      domains.push(d);
      return { d, name };
    },
  };
}
