/** The names other modules code against are exported from the package entry points. */
import { describe, expect, it } from "vitest";
import * as codec from "../../runtime/codec/index.js";
import * as wire from "../../runtime/wire/index.js";

describe("public API", () => {
  it("runtime/wire exports the frame API", () => {
    for (const name of ["encodeMessage", "decodeMessage", "encodeMessageAsync", "decodeMessageAsync", "FrameDecoder", "MessageIdGenerator", "nextMessageId", "nowNs", "messageToJson", "messageFromJson", "readFrameHeader", "crc32", "MessageType"]) {
      expect(wire, name).toHaveProperty(name);
    }
    expect(wire.HEADER_SIZE).toBe(40);
  });

  it("runtime/codec exports the spec 5.2.1 interface", () => {
    for (const name of ["serializeMessage", "deserializeMessage", "serializeMessageAsync", "deserializeMessageAsync", "compressSection", "decompressSection"]) {
      expect(codec, name).toHaveProperty(name);
    }
  });

  it("readFrameHeader reports the header fields", () => {
    const frame = wire.encodeMessage({ type: "event", messageId: 5n, correlationId: 6n, timestampNs: 7n, format: "json", body: { eventType: "a", data: 1, sourceId: 1n, priority: 0 } });
    expect(wire.readFrameHeader(frame)).toEqual({
      versionMajor: 1,
      versionMinor: 0,
      typeCode: 3,
      flags: 1,
      messageId: 5n,
      correlationId: 6n,
      timestampNs: 7n,
      payloadLength: frame.length - 40,
      crc: frame.readUInt32LE(36),
    });
    expect(wire.parseFlags(0b1001)).toEqual({ format: "json", compression: "zstd" });
  });
});
