/**
 * The language reference's examples parse: every ```nidl block of
 * idl/README.md (a block without a package gets one, as a fragment).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNidl } from "../../generator/parser/parse.js";
import { renderCompact } from "../../generator/diagnostics.js";
import { repoRoot } from "./support/real-tools.js";

const readme = readFileSync(join(repoRoot(), "idl", "README.md"), "utf8");
const blocks = [...readme.matchAll(/```nidl\n([\s\S]*?)```/g)].map((m) => m[1]);

describe("idl/README.md examples", () => {
  it("has examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(blocks.map((b, i) => [i, b] as const))("example %i parses without errors", (_i, block) => {
    const text = /^\s*package\s/m.test(block) ? block : `package readme.example;\n${block}`;
    const r = parseNidl(text, "example.nidl");
    expect(renderCompact(r.diagnostics, () => text)).toBe("");
  });
});
