import { describe, expect, it } from "vitest";
import { IPC_ERROR_CODES, IPCError, isIPCError, isIPCErrorCode } from "../../runtime/errors.js";
import { readFileSync } from "node:fs";

describe("IPCError", () => {
  it("covers every error name of spec section 5", () => {
    const spec = readFileSync(new URL("../../../shared/seed/SPEC-COMPONENT-CORE-IPC-v1.0.0.md", import.meta.url), "utf8");
    const section5 = spec.slice(spec.indexOf("## 5. Schnittstellen"), spec.indexOf("## 6. Verhalten"));
    const names = [...section5.matchAll(/^\s+- ([A-Z][a-z][A-Za-z]+): /gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(30);
    for (const n of names) expect(isIPCErrorCode(n), n).toBe(true);
    expect(names).toContain("InvalidEndpointName");
    expect(names).toContain("SubscriptionNotFound");
  });

  it("carries code, cause and context", () => {
    const cause = new Error("boom");
    const e = new IPCError("CorruptedMessage", "bad crc", { cause, context: { offset: 36 } });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("CorruptedMessage");
    expect(e.cause).toBe(cause);
    expect(e.context).toEqual({ offset: 36 });
    expect(isIPCError(e, "CorruptedMessage")).toBe(true);
    expect(isIPCError(e, "ChannelClosed")).toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ name: "IPCError", code: "CorruptedMessage", message: "bad crc", context: { offset: 36 } });
    expect(String(e)).toBe("IPCError[CorruptedMessage]: bad crc");
  });

  it("has no duplicate codes", () => {
    expect(new Set(IPC_ERROR_CODES).size).toBe(IPC_ERROR_CODES.length);
  });
});
