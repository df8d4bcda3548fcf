import { describe, expect, it } from "vitest";
import { IPCError } from "../../runtime/errors.js";
import { deserializeMessage, deserializeMessageAsync, serializeMessage, serializeMessageAsync } from "../../runtime/codec/serialize.js";
import { sampleMessages } from "../wire/arbitraries.js";

describe("serializeMessage / deserializeMessage (spec 5.2.1)", () => {
  it("round-trip every type for every format and compression", async () => {
    for (const format of ["msgpack", "json"] as const) {
      for (const compression of ["none", "lz4", "zstd"] as const) {
        for (const m of sampleMessages(format, compression)) {
          expect(deserializeMessage(serializeMessage(m, format, compression), format, compression)).toEqual(m);
          expect(await deserializeMessageAsync(await serializeMessageAsync(m, format, compression), format, compression)).toEqual(m);
        }
      }
    }
  });

  it("a frame in another format or compression than expected is a detailed DeserializationError", () => {
    const [m] = sampleMessages("json", "lz4");
    const bytes = serializeMessage(m, "json", "lz4");
    try {
      deserializeMessage(bytes, "msgpack", "lz4");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IPCError);
      expect((e as IPCError).code).toBe("DeserializationError");
      expect((e as IPCError).context).toMatchObject({ expected: { format: "msgpack", compression: "lz4" }, actual: { format: "json", compression: "lz4" } });
    }
  });
});
