/**
 * The three diagnostic renderers and the progress switch.
 */
import { describe, expect, it } from "vitest";
import { error, renderCompact, renderHuman, renderJson, warning, createLineIndex, sortDiagnostics } from "../../../generator/diagnostics.js";
import { createProgress, PROGRESS_THRESHOLD } from "../../../generator/cli/progress.js";

const text = "package p;\n\ninterface Surface {\n  method frame(cb: u32);\n  method frame();\n}\n";
const at = (needle: string, nth = 0): number => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  return i;
};
const dup = error("NIDL2003", 'duplicate method "frame" in interface "Surface"', { file: "s.nidl", start: at("frame", 1), end: at("frame", 1) + 5 }, [
  { message: '"frame" was first declared here', span: { file: "s.nidl", start: at("frame"), end: at("frame") + 5 } },
]);
const lookup = (f: string): string | undefined => (f === "s.nidl" ? text : undefined);

describe("diagnostic renderers", () => {
  it("human: location, code frame with carets, notes with their own frame, summary", () => {
    expect(renderHuman([dup], lookup)).toBe(
      's.nidl:5:10: error[NIDL2003]: duplicate method "frame" in interface "Surface"\n' +
        "  5 │   method frame();\n" +
        "    │          ^^^^^\n" +
        's.nidl:4:10: note: "frame" was first declared here\n' +
        "  4 │   method frame(cb: u32);\n" +
        "    │          ^^^^^\n" +
        "1 error, 0 warnings\n",
    );
  });

  it("compact: one line per diagnostic and per note", () => {
    expect(renderCompact([dup], lookup)).toBe(
      's.nidl:5:10: error[NIDL2003]: duplicate method "frame" in interface "Surface"\n  s.nidl:4:10: note: "frame" was first declared here\n',
    );
  });

  it("json: 1-based positions, offsets, title, notes", () => {
    const j = JSON.parse(renderJson([dup], lookup)) as { diagnostics: Record<string, unknown>[] };
    expect(j.diagnostics[0]).toMatchObject({ code: "NIDL2003", title: "duplicate member", severity: "error", file: "s.nidl", line: 5, column: 10, endLine: 5, endColumn: 15 });
    expect(j.diagnostics[0].notes).toEqual([{ message: '"frame" was first declared here', file: "s.nidl", line: 4, column: 10 }]);
  });

  it("degrades gracefully without the source text or a span", () => {
    const d = warning("NIDL2011", "x", { file: "gone.nidl", start: 3, end: 4 });
    const n = error("NIDL3004", "no span", undefined);
    expect(renderCompact([d, n], () => undefined)).toBe("gone.nidl: warning[NIDL2011]: x\nnova-gen: error[NIDL3004]: no span\n");
    expect(renderHuman([d, n], () => undefined)).toContain("1 error, 1 warning");
  });

  it("line index and sorting are stable", () => {
    const li = createLineIndex("a\r\nbc\n\nd");
    expect([li.position(0), li.position(3), li.position(7), li.position(99)]).toEqual([
      { line: 1, column: 1 }, { line: 2, column: 1 }, { line: 4, column: 1 }, { line: 4, column: 2 },
    ]);
    expect(li.lineText(1)).toBe("a");
    const a = error("NIDL2001", "a", { file: "b", start: 5, end: 6 });
    const b = error("NIDL2001", "b", { file: "a", start: 9, end: 9 });
    const c = error("NIDL1003", "c", { file: "b", start: 5, end: 6 });
    expect(sortDiagnostics([a, b, c]).map((d) => d.message)).toEqual(["b", "c", "a"]);
  });
});

describe("progress", () => {
  it("is silent for small non-interactive runs and shown for large ones or a terminal", () => {
    const lines: string[] = [];
    const io = { out: () => undefined, err: (t: string) => void lines.push(t) };
    createProgress(3, io, false).step("checking");
    expect(lines).toEqual([]);
    createProgress(PROGRESS_THRESHOLD + 1, io, false).step("checking");
    createProgress(1, io, true).step("generating");
    expect(lines).toEqual([`nova-gen: checking (${PROGRESS_THRESHOLD + 1} inputs)…\n`, "nova-gen: generating (1 input)…\n"]);
  });
});
