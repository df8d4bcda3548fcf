/**
 * Interoperability with an independent peer: test/fixtures/wire/nova_peer.py
 * was written from idl/WIRE.md alone (Python stdlib, its own CRC via zlib and
 * its own MessagePack codec). Frames go both ways, in both formats, and must
 * mean the same message.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../runtime/wire/frame.js";
import type { Message, PayloadFormat } from "../../runtime/wire/message.js";
import { messageFromJson, messageToJson } from "../../runtime/wire/message-json.js";
import { decodeMsgpackValue, encodeMsgpackValue } from "../../runtime/codec/value-msgpack.js";
import { fromTaggedJson } from "../../runtime/codec/value-json.js";
import { jsonFormMessageArb, sampleMessages, valueArb } from "./arbitraries.js";

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
  const expected = { ...messageFromJson(json), format: m.format ?? "msgpack", compression: "none" } as Message;
  // The JSON form prints a load average as its shortest decimal; the frame carries the f32.
  if (expected.type === "heartbeat") expected.body = { ...expected.body, loadAverage: Math.fround(expected.body.loadAverage) };
  expect(decodeMessage(python("encode", JSON.stringify(json)))).toEqual(expected);
}

describe.each<PayloadFormat>(["json", "msgpack"])("interop with an independent Python peer (%s)", (format) => {
  it("the four sample messages go both ways", () => {
    for (const m of sampleMessages(format, "none")) checkBothWays(m);
  }, 60_000);

  it("random messages go both ways", () => {
    fc.assert(
      fc.property(jsonFormMessageArb, (m) => {
        checkBothWays({ ...m, format, compression: "none" });
      }),
      { numRuns: 8 },
    );
  }, 90_000);
});

describe("interop with an independent Python peer", () => {
  it("the peer's MessagePack codec reads what ours writes, and ours reads what it writes (500 random values)", () => {
    const values = fc.sample(valueArb, 500);
    // One python process for all values: decode each, print it as tagged JSON, and encode it again.
    const script = [
      "import json, sys",
      `sys.path.insert(0, ${JSON.stringify(fileURLToPath(new URL("../fixtures/wire/", import.meta.url)))})`,
      "from nova_values import decode_msgpack, encode_msgpack, to_tagged",
      "out = [[to_tagged(v), encode_msgpack(v).hex()] for v in (decode_msgpack(bytes.fromhex(h)) for h in json.load(sys.stdin))]",
      "print(json.dumps(out))",
    ].join("\n");
    const input = JSON.stringify(values.map((v) => Buffer.from(encodeMsgpackValue(v)).toString("hex")));
    const r = spawnSync("/usr/bin/python3", ["-B", "-c", script], { input, timeout: 20_000 });
    expect(r.stderr.toString()).toBe("");
    const out = JSON.parse(r.stdout.toString()) as Array<[unknown, string]>;
    values.forEach((v, i) => {
      expect(fromTaggedJson(out[i][0])).toEqual(v);
      const back = Buffer.from(out[i][1], "hex");
      expect(decodeMsgpackValue(back, 0, back.length)).toEqual(v);
    });
  }, 30_000);

  it("the peer's decoder rejects what ours rejects", () => {
    const frame = Uint8Array.from(encodeMessage(sampleMessages("json", "none")[0]));
    frame[frame.length - 1] ^= 1;
    const r = spawnSync("/usr/bin/python3", [peer, "decode"], { input: frame, timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/^error\[CorruptedMessage\]/);
  });
});
