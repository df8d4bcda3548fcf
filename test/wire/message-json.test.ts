import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPCError } from "../../runtime/errors.js";
import { messageFromJson, messageToJson } from "../../runtime/wire/message-json.js";
import { jsonFormMessageArb, sampleMessages } from "./arbitraries.js";
import { codeOrOk as code } from "../helpers/ipc-error.js";

describe("message JSON form", () => {
  it("round-trips every message through JSON text (f32 load averages print shortest)", () => {
    fc.assert(
      fc.property(jsonFormMessageArb, (m) => {
        const back = messageFromJson(JSON.parse(JSON.stringify(messageToJson(m))));
        const expected = { ...m, format: m.format === "msgpack" ? undefined : m.format, compression: m.compression === "none" ? undefined : m.compression };
        if (m.type === "heartbeat" && back.type === "heartbeat") {
          expect(Math.fround(back.body.loadAverage)).toBe(Math.fround(m.body.loadAverage));
          back.body.loadAverage = m.body.loadAverage;
        }
        expect(back).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("writes u64 fields as decimal strings and omits default format/compression", () => {
    const [request, , event, heartbeat] = sampleMessages();
    expect(messageToJson(request)).toMatchObject({ messageId: "72623859790382856", correlationId: "0", timestampNs: "1700000000123456789" });
    expect(messageToJson(request)).not.toHaveProperty("format");
    expect(messageToJson(event).body).toMatchObject({ sourceId: "99", data: { id: { $n: "7" } } });
    expect(messageToJson({ ...heartbeat, body: { ...heartbeat.body, loadAverage: Math.fround(0.3) } }).body).toMatchObject({ loadAverage: 0.3 });
  });

  it("names the offending field", () => {
    const ok = messageToJson(sampleMessages()[0]);
    const cases: [unknown, string][] = [
      [null, "$"],
      [{ ...ok, extra: 1 }, "$.extra"],
      [{ ...ok, messageId: "18446744073709551616" }, "$.messageId"],
      [{ ...ok, messageId: "01" }, "$.messageId"],
      [{ ...ok, type: "ping" }, "$.type"],
      [{ ...ok, format: "xml" }, "$.format"],
      [{ ...ok, body: { ...(ok.body as object), timeoutMs: -1 } }, "$.body.timeoutMs"],
      [{ ...ok, body: { ...(ok.body as object), params: { $n: "x" } } }, "$.body.params"],
    ];
    for (const [json, path] of cases) {
      try {
        messageFromJson(json);
        expect.unreachable(path);
      } catch (e) {
        expect(e).toBeInstanceOf(IPCError);
        expect((e as IPCError).code).toBe("MessageValidationFailed");
        expect((e as IPCError).message.startsWith(`${path}`), (e as IPCError).message).toBe(true);
      }
    }
  });

  it("arbitrary JSON only ever yields MessageValidationFailed", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(["ok", "MessageValidationFailed"]).toContain(code(() => messageFromJson(v)));
      }),
      { numRuns: 500 },
    );
  });
});
