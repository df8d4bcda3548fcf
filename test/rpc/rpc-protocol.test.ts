/**
 * The RPC mapping onto NOVA messages (runtime/rpc/README.md): what a server
 * reads out of any Request — including hostile ones — and how errors cross.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  buildRequest,
  FLAG_CALL_CHAIN,
  FLAG_ONEWAY,
  fromErrorDetails,
  readRequestParams,
  splitMethod,
  toErrorDetails,
} from "../../runtime/rpc/rpc-protocol.js";
import { IPCError, IPC_ERROR_CODES } from "../../runtime/errors.js";
import { DeclaredError } from "../../runtime/rpc/contract.js";
import { decodeMessage, encodeMessage } from "../../runtime/wire/index.js";
import type { RequestMessage } from "../../runtime/wire/message.js";

class Oops extends DeclaredError<{ n: number }> {
  readonly errorName = "test.Oops";
}

describe("rpc protocol", () => {
  it("round-trips calls through real frames, with and without a call chain", () => {
    for (const chain of [undefined, [], [7, 9]]) {
      const req = buildRequest(42n, "org.novade.X", "doIt", [1, "two", { three: [3] }], 1500, false, chain);
      const back = decodeMessage(encodeMessage(req)) as RequestMessage;
      expect(back.body.method).toBe("org.novade.X.doIt");
      expect(back.body.timeoutMs).toBe(1500);
      const parsed = readRequestParams(back);
      expect(parsed.args).toEqual([1, "two", { three: [3] }]);
      expect(parsed.chain).toEqual(chain ?? []);
      expect((back.body.flags & FLAG_CALL_CHAIN) !== 0).toBe((chain?.length ?? 0) > 0);
    }
    expect(buildRequest(1n, "a.B", "c", [], 0, true, undefined).body.flags & FLAG_ONEWAY).toBe(FLAG_ONEWAY);
  });

  it("splits method names at the last dot and rejects names without one", () => {
    expect(splitMethod("org.novade.Calc.add")).toEqual({ iface: "org.novade.Calc", member: "add" });
    expect(splitMethod("org.novade.Calc.@get")).toEqual({ iface: "org.novade.Calc", member: "@get" });
    for (const bad of ["", "nodot", ".x", "x."]) expect(splitMethod(bad)).toBeUndefined();
  });

  it("reads any Request's params as arguments or fails with an IPCError, never anything else", () => {
    fc.assert(
      fc.property(fc.anything(), fc.integer({ min: 0, max: 0xffffffff }), (params, flags) => {
        const req = buildRequest(1n, "a.B", "c", [], 10, false, undefined);
        req.body.params = params;
        req.body.flags = flags;
        try {
          const out = readRequestParams(req);
          expect(Array.isArray(out.args)).toBe(true);
          expect(out.chain.every((n) => typeof n === "number")).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(IPCError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("carries every IPCError code and declared errors across", () => {
    for (const code of IPC_ERROR_CODES) {
      const back = fromErrorDetails(toErrorDetails(new IPCError(code, `m-${code}`, { context: { k: 1 } })), "a.B.c");
      expect(back.code).toBe(code);
      expect(back.message).toBe(`m-${code}`);
    }
    const declared = fromErrorDetails(toErrorDetails(new Oops("bad", { n: 3 })), "a.B.c");
    expect(declared.code).toBe("RemoteError");
    expect(declared.context.errorName).toBe("test.Oops");
    expect(declared.context.data).toEqual({ n: 3 });
    expect(fromErrorDetails({ code: "NotACode", message: "x" }, "a.B.c").code).toBe("RemoteError");
    expect(fromErrorDetails(null, "a.B.c").code).toBe("RemoteError");
  });
});
