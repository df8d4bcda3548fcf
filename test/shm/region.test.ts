/**
 * Shared-memory regions (runtime/shm/region.ts): create/open across
 * processes, a 1 GiB region written at both ends by two processes,
 * reference counting and unlink by the last user, stale reclaim after a
 * SIGKILL, copy-on-write snapshots, memfd regions passed by descriptor, and
 * `nova shm ls|rm`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openSync, closeSync, writeFileSync, unlinkSync } from "node:fs";
import {
  createAnonymousRegion,
  createRegion,
  listRegions,
  openRegion,
  openRegionFromFd,
  regionPath,
  removeRegion,
  removeStaleRegions,
  type SharedRegion,
} from "../../runtime/shm/index.js";
import { thrownCode } from "../helpers/ipc-error.js";
import { nativeShm } from "../../native/index.js";
import { runNova } from "../cli/processes.js";
import { dist, expectNoShmLeft, novaShmEntries, startScript, uniquePrefix } from "./shm-helpers.js";

const P = uniquePrefix("rg");
const opened: SharedRegion[] = [];
function track<T extends SharedRegion>(r: T): T {
  opened.push(r);
  return r;
}

afterEach(() => {
  for (const r of opened.splice(0)) r.close();
  expectNoShmLeft(P);
});

const GiB = 1024 * 1024 * 1024;

describe("named regions", () => {
  it("two processes map a 1 GiB region, write a pattern at both ends and read each other's back", async () => {
    const name = `${P}big`;
    const region = track(createRegion(name, GiB));
    expect(region.size).toBe(GiB);
    const bytes = region.bytes();
    const words = new Int32Array(region.buffer, region.dataOffset, GiB / 4);
    // Parent pattern: the first and last MiB of the region.
    for (let i = 0; i < 262_144; i++) words[i] = i ^ 0x5a5a5a5a;
    for (let i = 0; i < 262_144; i++) words[GiB / 4 - 1 - i] = i * 7;
    const child = startScript(`
      const { openRegion } = await import(${dist("runtime/shm/region.js")});
      const r = openRegion(${JSON.stringify(name)});
      const w = new Int32Array(r.buffer, r.dataOffset, r.size / 4);
      let ok = r.size === ${GiB};
      for (let i = 0; i < 262144; i++) if (w[i] !== (i ^ 0x5a5a5a5a) || w[${GiB / 4} - 1 - i] !== i * 7) { ok = false; break; }
      // Child pattern: the second MiB and the middle of the region.
      for (let i = 0; i < 262144; i++) { w[262144 + i] = ~i; w[${GiB / 8} + i] = i + 3; }
      console.log(ok ? "read-ok" : "read-bad");
      r.close();
    `);
    const done = await child.exited;
    expect(done.stderr).toBe("");
    expect(done.stdout.trim()).toBe("read-ok");
    for (let i = 0; i < 262_144; i += 997) {
      expect(words[262_144 + i]).toBe(~i);
      expect(words[GiB / 8 + i]).toBe(i + 3);
    }
    expect(bytes[0]).toBe(0x5a);
    expect(region.refs).toBe(1);
  }, 60_000);

  it("counts references and unlinks the file when the last handle closes", () => {
    const name = `${P}refs`;
    const a = createRegion(name, 4096);
    const b = openRegion(name);
    expect(a.refs).toBe(2);
    new Uint8Array(a.buffer, a.dataOffset)[5] = 42;
    expect(b.bytes()[5]).toBe(42);
    a.close();
    expect(novaShmEntries(P)).toEqual([`nova-${process.getuid!()}-${name}`]);
    expect(b.refs).toBe(1);
    b.close();
    b.close(); // idempotent
    expect(novaShmEntries(P)).toEqual([]);
  });

  it("refuses a second create of a live region, and opening a missing one", () => {
    const name = `${P}dup`;
    track(createRegion(name, 8192));
    expect(thrownCode(() => createRegion(name, 8192))).toBe("RegionAlreadyExists");
    expect(thrownCode(() => openRegion(`${P}missing`))).toBe("RegionNotFound");
    expect(thrownCode(() => createRegion("bad/name", 10))).toBe("InvalidArgument");
    expect(thrownCode(() => createRegion(`${P}zero`, 0))).toBe("InvalidArgument");
  });

  it("refuses to open a file that is not a private region of this user", () => {
    const name = `${P}foreign`;
    const path = regionPath(name);
    writeFileSync(path, Buffer.alloc(16384), { mode: 0o600 });
    try {
      expect(thrownCode(() => openRegion(name))).toBe("RegionNotFound"); // no header
    } finally {
      unlinkSync(path);
    }
    writeFileSync(path, Buffer.alloc(16384), { mode: 0o644 });
    try {
      expect(thrownCode(() => openRegion(name))).toBe("RegionNotFound"); // readable by others
    } finally {
      unlinkSync(path);
    }
  });

  it("reclaims a region whose holder was killed with SIGKILL: listed as stale, replaced by create, removed by rm --stale", async () => {
    const name = `${P}crash`;
    const child = startScript(`
      const { createRegion } = await import(${dist("runtime/shm/region.js")});
      const r = createRegion(${JSON.stringify(name)}, 65536);
      new Uint8Array(r.buffer, r.dataOffset)[0] = 99;
      console.log("created");
      setInterval(() => {}, 1000);
    `);
    await child.until(() => child.out.includes("created"), "the child's region");
    const live = listRegions().find((r) => r.name === name);
    expect(live).toMatchObject({ stale: false, refs: 1, owners: [child.pid] });
    await child.stop("SIGKILL");
    const stale = listRegions().find((r) => r.name === name);
    expect(stale).toMatchObject({ stale: true, owners: [], refs: 0 });
    // The CLI shows it and removes it.
    const ls = await runNova(["shm", "ls"]);
    expect(ls.stdout).toMatch(new RegExp(`^${name}\\t65536\\t0\\t-\\tstale$`, "m"));
    const rm = await runNova(["shm", "rm", "--stale"]);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(`removed ${name}`);
    expect(novaShmEntries(P)).toEqual([]);
  }, 30_000);

  it("create replaces a stale region (its owners all dead) instead of failing", async () => {
    const name = `${P}stale2`;
    const child = startScript(`
      const { createRegion } = await import(${dist("runtime/shm/region.js")});
      createRegion(${JSON.stringify(name)}, 4096);
      console.log("created");
      setInterval(() => {}, 1000);
    `);
    await child.until(() => child.out.includes("created"), "the child's region");
    expect(thrownCode(() => createRegion(name, 4096))).toBe("RegionAlreadyExists");
    await child.stop("SIGKILL");
    const fresh = track(createRegion(name, 4096));
    expect(fresh.refs).toBe(1);
    expect(removeStaleRegions()).not.toContain(name);
  }, 30_000);

  it("nova shm rm refuses a live region without --force, removes it with", async () => {
    const name = `${P}live`;
    const region = track(createRegion(name, 4096));
    const refused = await runNova(["shm", "rm", name]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error\[RegionAlreadyExists\]/);
    expect(thrownCode(() => removeRegion(name))).toBe("RegionAlreadyExists");
    const forced = await runNova(["shm", "rm", name, "--force"]);
    expect(forced.code).toBe(0);
    expect(novaShmEntries(P)).toEqual([]);
    // The mapping outlives the unlink.
    region.bytes()[0] = 1;
    expect(region.bytes()[0]).toBe(1);
    const usage = await runNova(["shm", "rm"]);
    expect(usage.code).toBe(2);
  }, 30_000);

  it("a copy-on-write snapshot keeps its own writes private", () => {
    const region = track(createRegion(`${P}cow`, 8192));
    const live = region.bytes();
    live[10] = 1;
    const snap = region.snapshot();
    expect(snap[10]).toBe(1);
    snap[10] = 200;
    expect(live[10]).toBe(1);
    // A page the snapshot has not written is still the shared one: later writes show through.
    live[4096 + 20] = 5;
    expect(snap[4096 + 20]).toBe(5);
    // The page it wrote is its own copy now: later shared writes do not.
    live[11] = 9;
    expect(snap[11]).toBe(0);
  });

  it("closes this process's handles at exit (no entry left after a normal exit)", async () => {
    const name = `${P}exit`;
    const child = startScript(`
      const { createRegion } = await import(${dist("runtime/shm/region.js")});
      createRegion(${JSON.stringify(name)}, 4096);
      console.log("created");
    `);
    const done = await child.exited;
    expect(done.stdout.trim()).toBe("created");
    expect(novaShmEntries(P)).toEqual([]);
  }, 30_000);
});

describe("anonymous regions (memfd)", () => {
  it("maps from a descriptor with the header checked, and never touches /dev/shm", () => {
    const a = track(createAnonymousRegion(100_000));
    expect(a.name).toBeUndefined();
    a.bytes()[99_999] = 7;
    // Another handle from a duplicate of the descriptor (what SCM_RIGHTS delivers).
    const dup = openSync(`/proc/self/fd/${a.fd}`, "r+");
    const b = track(openRegionFromFd(dup));
    expect(b.size).toBe(100_000);
    expect(b.bytes()[99_999]).toBe(7);
    expect(a.refs).toBe(2);
    // A memfd whose size is not sealed could be shrunk by its sender under our mapping (SIGBUS): refused.
    const native = nativeShm();
    const unsealed = native.memfdCreate("unsealed", 2 * 4096);
    new Uint8Array(native.mapFd(unsealed, 4096, false)).set(new Uint8Array(a.buffer, 0, 4096));
    expect(thrownCode(() => openRegionFromFd(unsealed))).toBe("RegionNotFound");
    const junk = openSync("/proc/self/cmdline", "r");
    expect(thrownCode(() => openRegionFromFd(junk))).toBe("RegionNotFound");
    expect(() => closeSync(junk)).toThrow(); // already closed by openRegionFromFd
  });
});
