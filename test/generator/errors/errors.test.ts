/**
 * Error baselines: every `<case>.nidl` here is compiled on its own and the
 * compact rendering of ALL its diagnostics must equal `<case>.errors.txt`.
 * Update after an intended change with
 *   UPDATE_GOLDEN=1 npx vitest run test/generator/errors
 * and review the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/index.js";
import { renderCompact } from "../../../generator/diagnostics.js";
import { UPDATE_GOLDEN } from "../support/golden-io.js";

const here = dirname(fileURLToPath(import.meta.url));
const cases = readdirSync(here).filter((f) => f.endsWith(".nidl")).sort();

function diagnose(file: string): string {
  const result = compile([{ path: file, text: readFileSync(join(here, file), "utf8") }]);
  return renderCompact(result.diagnostics, (f) => result.sources.get(f));
}

describe("error baselines", () => {
  it("has a baseline for every case", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
    if (!UPDATE_GOLDEN) for (const c of cases) expect(existsSync(join(here, c.replace(/\.nidl$/, ".errors.txt"))), c).toBe(true);
  });

  it.each(cases)("%s", (file) => {
    const actual = diagnose(file);
    const baseline = join(here, file.replace(/\.nidl$/, ".errors.txt"));
    if (UPDATE_GOLDEN) writeFileSync(baseline, actual);
    expect(actual).not.toBe("");
    expect(actual.split("\n").filter((l) => /: error\[NIDL\d{4}\]/.test(l)).length).toBeGreaterThan(0);
    expect(actual).toBe(readFileSync(baseline, "utf8"));
  });

  it("reports the three mistakes of three-mistakes.nidl, each at its line:col", () => {
    const lines = diagnose("three-mistakes.nidl").trimEnd().split("\n").filter((l) => !l.startsWith("  "));
    expect(lines).toEqual([
      'three-mistakes.nidl:4:22: error[NIDL2001]: unknown name "Strng"; did you mean "string"?',
      'three-mistakes.nidl:6:12: error[NIDL2003]: duplicate method "Stop" in interface "Player"',
      'three-mistakes.nidl:7:5: error[NIDL2009]: signal "Ended" is @since(3) but interface "Player" is only version 1',
    ]);
  });

  it("reports every syntax error of a file in one run", () => {
    const errors = diagnose("syntax-errors.nidl").split("\n").filter((l) => l.includes("error[NIDL1003]"));
    const lines = errors.map((l) => Number(/^syntax-errors\.nidl:(\d+):/.exec(l)?.[1]));
    expect(new Set(lines)).toEqual(new Set([3, 7, 9, 12]));
  });
});
