/**
 * The committed generated code of the examples must be exactly what nova-gen
 * produces today: regenerating leaves no diff. (The demo itself regenerates in
 * place; this test regenerates into a temp dir so it never touches the tree.)
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, ensureBuilt, makeTempDir } from "../transport/helpers.js";

const tmp = makeTempDir("nova-examples-");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("examples are current", () => {
  it("examples/demo/generated equals a fresh nova-gen run", () => {
    const novaGen = ensureBuilt("bin/nova-gen.js");
    // Same command line as examples/demo/run-demo.ts.
    execFileSync(
      process.execPath,
      [novaGen, "generate", "examples/demo/demo.nidl", "--out", tmp, "--target", "ts", "--runtime-import", "../../../runtime/rpc/index.js"],
      { cwd: ROOT, stdio: "pipe" },
    );
    const committedDir = join(ROOT, "examples", "demo", "generated");
    const fresh = readdirSync(tmp).sort();
    expect(readdirSync(committedDir).sort()).toEqual(fresh);
    expect(fresh.length).toBeGreaterThan(0);
    for (const name of fresh) {
      expect(readFileSync(join(committedDir, name), "utf8"), `${name} is stale: run \`npm run demo\` and commit`).toBe(readFileSync(join(tmp, name), "utf8"));
    }
  }, 120_000);

  it("test/fixtures/wire/peer/generated (the Python peer's test server) equals a fresh nova-gen run", () => {
    const novaGen = ensureBuilt("bin/nova-gen.js");
    const out = join(tmp, "wiretest");
    // Regenerate with exactly this command line when the TS emitter changes.
    execFileSync(
      process.execPath,
      [novaGen, "generate", "test/fixtures/wire/peer/wiretest.nidl", "--out", out, "--target", "ts", "--runtime-import", "../../../../../runtime/rpc/index.js"],
      { cwd: ROOT, stdio: "pipe" },
    );
    const committedDir = join(ROOT, "test", "fixtures", "wire", "peer", "generated");
    const fresh = readdirSync(out).sort();
    expect(readdirSync(committedDir).sort()).toEqual(fresh);
    for (const name of fresh) {
      expect(readFileSync(join(committedDir, name), "utf8"), `${name} is stale: regenerate it (command above) and commit`).toBe(readFileSync(join(out, name), "utf8"));
    }
  }, 120_000);
});
