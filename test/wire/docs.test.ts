/** The documentation owned with the wire format stays complete. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IPC_ERROR_CODES } from "../../runtime/errors.js";
import { DEFAULT_MAX_MESSAGE_SIZE, HEADER_SIZE, HeaderOffset } from "../../runtime/wire/index.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("docs", () => {
  it("docs/errors.md has exactly one table row for every IPCError code", () => {
    const doc = read("docs/errors.md");
    const rows = [...doc.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual([...IPC_ERROR_CODES].sort());
  });

  it("idl/WIRE.md documents every header offset and the defaults the code uses", () => {
    const doc = read("idl/WIRE.md");
    for (const offset of Object.values(HeaderOffset)) expect(doc).toMatch(new RegExp(`^\\| ${offset} \\|`, "m"));
    expect(HEADER_SIZE).toBe(40);
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(16 * 1024 * 1024);
    expect(doc).toContain("default 16 MiB");
  });
});
