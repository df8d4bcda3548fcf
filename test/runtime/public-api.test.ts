import { describe, expect, it } from "vitest";
import * as runtime from "../../runtime/index.js";

// The package's public entry ("novade-ipc/runtime") must expose every layer a
// component author or generated code needs, from one import.
describe("runtime public entry", () => {
  it.each([
    ["IPCError", "function"],
    ["isIPCError", "function"],
    ["encodeMessage", "function"],
    ["decodeMessage", "function"],
    ["FrameDecoder", "function"],
    ["serializeMessage", "function"],
    ["deserializeMessage", "function"],
    ["createChannel", "function"],
    ["listen", "function"],
    ["connectRpc", "function"],
    ["serveRpc", "function"],
    ["createInProcessPair", "function"],
    ["DeclaredError", "function"],
    ["SchemaRegistry", "function"],
  ])("exports %s", (name, type) => {
    expect(typeof (runtime as Record<string, unknown>)[name]).toBe(type);
  });

  it("round-trips a message through the exported codec", () => {
    const msg: runtime.Message = {
      type: "event",
      messageId: 7n,
      correlationId: 0n,
      timestampNs: 1_700_000_000_000_000_000n,
      body: { eventType: "window.focused", data: { id: 3 }, sourceId: 9n, priority: 128 },
    };
    const back = runtime.decodeMessage(runtime.encodeMessage(msg));
    expect(back).toMatchObject({ type: "event", messageId: 7n, body: { eventType: "window.focused", data: { id: 3 }, sourceId: 9n, priority: 128 } });
  });
});
