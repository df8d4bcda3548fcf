/**
 * Interoperability with an independent peer: test/fixtures/wire/nova_peer.py
 * was written from idl/WIRE.md alone (Python stdlib, its own CRC via zlib).
 * Frames go both ways and must mean the same message.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../runtime/wire/frame.js";
import type { Message } from "../../runtime/wire/message.js";
import { messageFromJson, messageToJson } from "../../runtime/wire/message-json.js";
import { jsonFormMessageArb, sampleMessages } from "./arbitraries.js";

const peer = fileURLToPath(new URL("../fixtures/wire/nova_peer.py", import.meta.url));

function python(command: "encode" | "decode", input: Uint8Array | string): Buffer {
  const r = spawnSync("/usr/bin/python3", [peer, command], { input, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`nova_peer.py ${command} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function checkBothWays(m: Message): void {
  const json = messageToJson(m);
  // TypeScript encodes, Python decodes.
  expect(JSON.parse(python("decode", encodeMessage(m)).toString("utf8"))).toEqual(json);
  // Python encodes, TypeScript decodes.
  const expected = { ...messageFromJson(json), format: "json", compression: "none" } as Message;
  // The JSON form prints a load average as its shortest decimal; the frame carries the f32.
  if (expected.type === "heartbeat") expected.body = { ...expected.body, loadAverage: Math.fround(expected.body.loadAverage) };
  expect(decodeMessage(python("encode", JSON.stringify(json)))).toEqual(expected);
}

describe("interop with an independent Python peer", () => {
  it("the four sample messages go both ways (JSON format)", () => {
    for (const m of sampleMessages("json", "none")) checkBothWays(m);
  }, 60_000);

  it("random messages go both ways", () => {
    fc.assert(
      fc.property(jsonFormMessageArb, (m) => {
        checkBothWays({ ...m, format: "json", compression: "none" });
      }),
      { numRuns: 8 },
    );
  }, 90_000);

  it("the peer's decoder rejects what ours rejects", () => {
    const frame = Uint8Array.from(encodeMessage(sampleMessages("json", "none")[0]));
    frame[frame.length - 1] ^= 1;
    const r = spawnSync("/usr/bin/python3", [peer, "decode"], { input: frame, timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/^error\[CorruptedMessage\]/);
  });
});
