/**
 * The checked-in Wayland bindings (runtime/wayland/protocols/) are exactly what the pipeline produces
 * today: `nova-gen import wayland` of wayland.xml and xdg-shell.xml, then `nova-gen generate --target
 * wayland-ts`, plus idl/shell.nidl. The test runs scripts/gen-wayland.mjs (the script behind `npm run
 * gen:wayland`) with the built nova-gen into a temp dir and compares byte for byte.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requirePath } from "../helpers/system-deps.js";
import { REPO_ROOT } from "../generator/ts/helpers/generate.js";

const tmp = mkdtempSync(join(tmpdir(), "nova-wl-current-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("runtime/wayland/protocols is current", () => {
  it("equals a fresh run of scripts/gen-wayland.mjs", () => {
    requirePath("/usr/share/wayland/wayland.xml");
    requirePath("/usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml");
    // The script runs the built nova-gen (dist/, built by `npm test`'s pretest). Rebuilding here would
    // rewrite dist/ under the other test files running at the same time.
    expect(existsSync(join(REPO_ROOT, "dist", "bin", "nova-gen.js")), "dist/bin/nova-gen.js: run `npm run build`").toBe(true);
    execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "gen-wayland.mjs"), "--out", tmp], { cwd: REPO_ROOT, stdio: "pipe" });
    const committedDir = join(REPO_ROOT, "runtime", "wayland", "protocols");
    const fresh = readdirSync(tmp).sort();
    expect(fresh).toEqual(["nova_shell_v1.ts", "wayland.ts", "xdg_shell.ts"]);
    expect(readdirSync(committedDir).filter((f) => f.endsWith(".ts")).sort()).toEqual(fresh);
    for (const name of fresh) {
      expect(readFileSync(join(committedDir, name), "utf8"), `${name} is stale: run \`npm run gen:wayland\` and commit`).toBe(readFileSync(join(tmp, name), "utf8"));
    }
  }, 120_000);
});
