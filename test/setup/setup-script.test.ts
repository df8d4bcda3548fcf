/**
 * Issue 11, item 1: `npm run setup` installs only the missing Debian packages (apt-get update only
 * then), uses sudo when not root, fails in one line when it can do neither, and always ends with
 * `npm install`. NOVA_SETUP_DRY_RUN=1 prints the commands that would change the machine instead of
 * running them (so this test never installs anything); the package checks themselves are real
 * dpkg-query calls, and "not root" is a real switch to the nobody user.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/external-validators.js";
import { debianPackages } from "../helpers/system-deps.js";

const root = repoRoot();
const script = join(root, "scripts", "setup.sh");
const tmp = mkdtempSync(join(tmpdir(), "nova-setup-"));
chmodSync(tmp, 0o755);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const isRoot = process.getuid?.() === 0;

interface SetupRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/setup.sh in dry-run mode, as `asNobody` the nobody user (needs root to switch). */
function setup(env: Record<string, string>, asNobody = false): SetupRun {
  const fullEnv = { PATH: BASE_PATH, NOVA_SETUP_DRY_RUN: "1", ...env };
  const [cmd, args] = asNobody ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "bash", script]] : ["bash", [script]];
  const r = spawnSync(cmd, args as string[], { env: fullEnv, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("scripts/setup.sh", () => {
  it("with every package of the list installed, runs no apt-get, only npm install", () => {
    const r = setup({});
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("dry-run: npm install\n");
    expect(r.stderr).toBe(`setup: all ${debianPackages().length} Debian packages are installed\n`);
  });

  it("installs only what is missing, after apt-get update, then runs npm install", () => {
    const r = setup({ NOVA_SETUP_PACKAGES: "make nova-no-such-package g++ nova-other-missing" });
    expect(r.status).toBe(0);
    const sudo = isRoot ? "" : "sudo ";
    expect(r.stdout.split("\n")).toEqual([
      `dry-run: ${sudo}apt-get update`,
      `dry-run: ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y nova-no-such-package nova-other-missing`,
      "dry-run: npm install",
      "",
    ]);
  });

  it.runIf(isRoot)("not root and no sudo: fails with one line naming the missing packages", () => {
    const r = setup({ NOVA_SETUP_PACKAGES: "make nova-no-such-package" }, true);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "setup: missing Debian packages: nova-no-such-package; run npm run setup as root, or install sudo (as root: apt-get install -y nova-no-such-package)\n",
    );
  });

  it.runIf(isRoot)("not root with sudo on PATH: apt-get goes through sudo", () => {
    const bin = join(tmp, "bin");
    spawnSync("mkdir", ["-p", bin]);
    // Only found by `command -v`; in dry-run mode nothing is executed through it.
    writeFileSync(join(bin, "sudo"), "#!/bin/sh\nexit 99\n", { mode: 0o755 });
    chmodSync(bin, 0o755);
    const r = setup({ NOVA_SETUP_PACKAGES: "nova-no-such-package", PATH: `${bin}:${BASE_PATH}` }, true);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("dry-run: sudo apt-get update\n");
    expect(r.stdout).toContain("dry-run: sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y nova-no-such-package\n");
  });

  it("nothing missing as a normal user needs neither root nor sudo", () => {
    const r = setup({ NOVA_SETUP_PACKAGES: "make g++" }, isRoot);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("dry-run: npm install\n");
  });
});

describe("the two commands", () => {
  it("the README quick start is exactly npm run setup, then npm test", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const quick = /## Quick start\n\n```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(quick.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean)).toEqual(["npm run setup", "npm test"]);
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.setup).toBe("bash scripts/setup.sh");
  });

  it(".ci/run installs through npm run setup, not its own apt-get line", () => {
    const ci = readFileSync(join(root, ".ci", "run"), "utf8");
    expect(ci).toMatch(/^if ! npm run setup; then$/m);
    expect(ci).not.toMatch(/apt-get/);
    expect(ci).toMatch(/^npm test -- /m);
  });
});
