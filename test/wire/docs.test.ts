/** The documentation owned with the wire format stays complete, and its examples stay true. */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IPC_ERROR_CODES } from "../../runtime/errors.js";
import { DEFAULT_MAX_MESSAGE_SIZE, decodeMessage, HEADER_SIZE, HeaderOffset } from "../../runtime/wire/index.js";
import { decodeMsgpackValue, encodeMsgpackValue } from "../../runtime/codec/value-msgpack.js";
import { CANCEL, CONTROL_IFACE, FLAG_CALL_CHAIN, FLAG_ONEWAY, STATUS_ERROR, STATUS_OK, SUBSCRIBE, UNSUBSCRIBE } from "../../runtime/rpc/rpc-protocol.js";
import { PROPERTY_CHANGED, PROPERTY_GET, PROPERTY_SET } from "../../runtime/rpc/contract.js";
import { PRIMITIVES } from "../../generator/resolve/resolve-type.js";
import { TRANSPORT_DEFAULTS } from "../../runtime/transport/types.js";
import { decompressSection } from "../../runtime/codec/compression.js";
import { codeOrOk } from "../helpers/ipc-error.js";
import { ROOT } from "../transport/helpers.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
/** The text with every run of whitespace (line breaks included) as one space, for phrases that may wrap. */
const flat = (path: string) => read(path).replace(/\s+/g, " ");
const hex = (text: string) => Uint8Array.from(text.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/** The rows of the Markdown table that follows `heading` (first cells, backticks kept). */
function tableAfter(doc: string, heading: string): string[][] {
  const start = doc.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const lines = doc.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

describe("docs", () => {
  it("docs/errors.md has exactly one table row for every IPCError code", () => {
    const doc = read("docs/errors.md");
    // The code tables come before "Error replies"; later tables list codes again, by when they are sent.
    const catalogue = doc.slice(0, doc.indexOf("## Error replies"));
    const rows = [...catalogue.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual([...IPC_ERROR_CODES].sort());
  });

  it("every code docs/errors.md names in its error-reply and wire tables exists, and the wire table covers what the RPC layer itself sends", () => {
    const doc = read("docs/errors.md");
    const replies = tableAfter(doc, "## Error replies").map((row) => row[2]);
    const wire = tableAfter(doc, "## Codes on the wire").map((row) => row[0]);
    const named = [...replies, ...wire].flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(10);
    for (const code of named) expect(IPC_ERROR_CODES, code).toContain(code);
    // Codes raised by rpc-server.ts, rpc-protocol.ts and stub-support.ts themselves, and the decoder's codes for an intact frame.
    const server = ["rpc-server.ts", "rpc-protocol.ts", "stub-support.ts", "remote-failure.ts"].map((f) => read(`runtime/rpc/${f}`)).join("\n");
    const raised = new Set([...server.matchAll(/(?:IPCError\(|code: )"([A-Za-z]+)"/g)].map((m) => m[1]));
    for (const code of ["DeserializationError", "MessageTooLarge", "UnsupportedVersion", "SerializationError"]) raised.add(code);
    // Reported or used locally, never put in a Response (the doc says so below the table).
    for (const code of ["ProtocolError", "ChannelClosed", "TimeoutExpired", "Cancelled", "HandlerAlreadyRegistered"]) raised.delete(code);
    expect(raised.size).toBeGreaterThan(5);
    for (const code of raised) expect(wire, code).toContain(`\`${code}\``);
    for (const never of ["CorruptedMessage", "ProtocolError"]) expect(wire).not.toContain(`\`${never}\``);
  });

  it("the partial-frame limit and the zstd block rule in the docs are the code's", () => {
    const limit = TRANSPORT_DEFAULTS.partialFrameTimeoutMs;
    for (const path of ["idl/WIRE.md", "runtime/rpc/README.md"]) expect(flat(path), path).toContain(`\`partialFrameTimeoutMs\` (default ${limit} ms`);
    expect(flat("docs/errors.md")).toContain(`\`partialFrameTimeoutMs\` (default ${limit / 1000} s)`);
    // WIRE.md §6.3: "at most 64 + ⌈uncompressed length / 256⌉ blocks". At the boundary: n one-byte Raw blocks.
    expect(flat("idl/WIRE.md")).toContain("at most 64 + ⌈uncompressed length / 256⌉ blocks");
    const rawBlocks = (n: number): Uint8Array => {
      const section = new Uint8Array(4 + 6 + n * 4);
      new DataView(section.buffer).setUint32(0, n, true);
      section.set([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58], 4); // magic, no content size, window descriptor
      for (let i = 0; i < n; i++) section.set([(i === n - 1 ? 1 : 0) | (1 << 3), 0, 0, 0x41], 10 + i * 4);
      return section;
    };
    const allowed = 64 + Math.ceil(65 / 256); // 65 blocks for 65 bytes
    const ok = rawBlocks(allowed);
    expect(Buffer.from(decompressSection(ok, 0, ok.length, "zstd", DEFAULT_MAX_MESSAGE_SIZE)).toString()).toBe("A".repeat(allowed));
    const over = rawBlocks(allowed + 1);
    expect(codeOrOk(() => decompressSection(over, 0, over.length, "zstd", DEFAULT_MAX_MESSAGE_SIZE))).toBe("DeserializationError");
  });

  it("idl/WIRE.md documents every header offset and the defaults the code uses", () => {
    const doc = read("idl/WIRE.md");
    for (const offset of Object.values(HeaderOffset)) expect(doc).toMatch(new RegExp(`^\\| ${offset} \\|`, "m"));
    expect(HEADER_SIZE).toBe(40);
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(16 * 1024 * 1024);
    expect(doc).toContain("default 16 MiB");
  });

  it("the byte-by-byte Request of WIRE.md §11 decodes to the message it describes", () => {
    const doc = read("idl/WIRE.md");
    const block = /A Request, byte by byte[\s\S]*?```\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    // Each line is hex bytes, then spaces and an annotation.
    const bytes = hex(block!.split("\n").map((line) => line.split(/ {2,}/)[0]).join(" "));
    expect(decodeMessage(bytes)).toEqual({
      type: "request",
      messageId: 1n,
      correlationId: 0n,
      timestampNs: 0n,
      format: "json",
      compression: "none",
      body: { method: "org.novade.demo.Calculator.add", params: [2, 3], timeoutMs: 1000, flags: 0 },
    });
    // "The same params in MessagePack (format 0) are `92 02 03`, and the Response section `[5, null]` is `92 05 C0`."
    const m = /params in MessagePack[^`]* are `([0-9A-F ]+)`, and the Response\s+section `\[5, null\]` is `([0-9A-F ]+)`/.exec(doc);
    expect(m).not.toBeNull();
    expect(Buffer.from(encodeMsgpackValue([2, 3])).toString("hex")).toBe(Buffer.from(hex(m![1])).toString("hex"));
    expect(Buffer.from(encodeMsgpackValue([5, null])).toString("hex")).toBe(Buffer.from(hex(m![2])).toString("hex"));
    expect(decodeMsgpackValue(hex("D4 00 00"), 0, 3)).toBeUndefined();
  });

  it("WIRE.md §6.4 gives every NIDL primitive type its wire form", () => {
    const rows = tableAfter(read("idl/WIRE.md"), "### 6.4 NIDL types in the value model");
    const documented = new Set(rows.flatMap((row) => [...row[0].matchAll(/`([a-z0-9]+)`/g)].map((m) => m[1])));
    for (const primitive of PRIMITIVES) expect(documented, primitive).toContain(primitive);
    for (const composite of ["list", "map", "struct", "enum", "flags", "object"]) expect(rows.some((row) => row[0].includes(composite)), composite).toBe(true);
  });

  it("runtime/rpc/README.md names the flags, statuses, reserved members and error codes the code uses", () => {
    const doc = read("runtime/rpc/README.md");
    expect(FLAG_ONEWAY).toBe(1);
    expect(FLAG_CALL_CHAIN).toBe(2);
    expect(doc).toContain("bit 0 `ONEWAY`");
    expect(doc).toContain("bit 1 `CALL_CHAIN`");
    expect([STATUS_OK, STATUS_ERROR]).toEqual([0, 1]);
    for (const member of [PROPERTY_GET, PROPERTY_SET]) expect(doc).toContain(`\`<iface>.${member}\``);
    expect(doc).toContain(`[iface, "${PROPERTY_CHANGED}"]`);
    for (const member of [SUBSCRIBE, UNSUBSCRIBE, CANCEL]) expect(doc).toContain(`\`${CONTROL_IFACE}.${member}\``);
    const errorRows = tableAfter(doc, "### Errors");
    const codes = errorRows.flatMap((row) => [...row[1].matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]));
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) expect(IPC_ERROR_CODES, code).toContain(code);
  });

  it("the documented demo server command points at a built file", () => {
    const doc = read("runtime/rpc/README.md");
    const command = /^node (dist\/examples\/demo\/server\.js) /m.exec(doc);
    expect(command).not.toBeNull();
    // test/wire/peer-rpc.test.ts starts it with this command and talks to it.
    expect(existsSync(`${ROOT}/${command![1]}`)).toBe(true);
  });
});
