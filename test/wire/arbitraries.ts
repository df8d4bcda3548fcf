/**
 * fast-check arbitraries for the message model and small helpers shared by
 * the wire tests. The CRC here is a plain bitwise CRC-32, independent of the
 * table-driven code under test.
 */
import fc from "fast-check";
import type { CompressionType, EventMessage, HeartbeatMessage, Message, PayloadFormat, RequestMessage, ResponseMessage } from "../../runtime/wire/message.js";

/** Bitwise CRC-32 (IEEE), deliberately the slowest, most obvious form. */
export function referenceCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Recomputes a frame's CRC in place (for crafting frames whose body is bad but CRC valid). */
export function fixCrc(frame: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(frame);
  copy.fill(0, 36, 40);
  const crc = referenceCrc32(copy);
  new DataView(copy.buffer).setUint32(36, crc, true);
  return copy;
}

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const double = fc.double().map((x) => (Object.is(x, -0) ? 0 : x));

/** Values of the value model (idl/WIRE.md "Value model"). */
export const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    double,
    fc.integer(),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
    fc.string({ unit: "grapheme" }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("$n", "$b", "$u", "$f", "$o")), tie("value"), { maxKeys: 4 }),
  ),
})).value;

const name = fc.string({ unit: "grapheme", maxLength: 30 });

/** Any message, with an explicit format and compression. */
export const messageArb: fc.Arbitrary<Message> = fc
  .record({
    messageId: u64,
    correlationId: u64,
    timestampNs: u64,
    format: fc.constantFrom<PayloadFormat>("msgpack", "json"),
    compression: fc.constantFrom<CompressionType>("none", "lz4", "zstd"),
  })
  .chain((common) =>
    fc.oneof(
      fc.record({ method: name, params: valueArb, timeoutMs: u32, flags: u32 }).map((body) => ({ ...common, type: "request" as const, body })),
      fc
        .record({
          status: u32,
          value: valueArb,
          error: fc.option(fc.record({ code: fc.string(), message: fc.string(), errorName: fc.string(), data: valueArb }, { requiredKeys: ["code", "message"] }), { nil: null }),
          executionTimeUs: u32,
        })
        .map((body) => ({ ...common, type: "response" as const, body })),
      fc.record({ eventType: name, data: valueArb, sourceId: u64, priority: fc.integer({ min: 0, max: 255 }) }).map((body) => ({ ...common, type: "event" as const, body })),
      fc
        .record({ pid: u64, loadAverage: fc.float({ noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)), memoryBytes: u64, uptimeSeconds: u64 })
        .map((body) => ({ ...common, type: "heartbeat" as const, body })),
    ),
  );

/** A fixed sample of every type, for example-based tests. */
export function sampleMessages(
  format: PayloadFormat = "msgpack",
  compression: CompressionType = "none",
): [RequestMessage, ResponseMessage, EventMessage, HeartbeatMessage] {
  const common = { messageId: 0x0102030405060708n, correlationId: 0n, timestampNs: 1_700_000_000_123_456_789n, format, compression };
  return [
    { ...common, type: "request", body: { method: "org.novade.Test.ping", params: [1, "zwei", 3n, new Uint8Array([4, 5]), null, { six: 6.5 }], timeoutMs: 5000, flags: 3 } },
    { ...common, type: "response", correlationId: 42n, body: { status: 1, value: null, error: { code: "RemoteError", message: "no", errorName: "org.novade.Test.Denied", data: { why: "policy" } }, executionTimeUs: 17 } },
    { ...common, type: "event", body: { eventType: "window.opened", data: { id: 7n, title: "Terminal — ünïcode" }, sourceId: 99n, priority: 255 } },
    { ...common, type: "heartbeat", body: { pid: 4242n, loadAverage: 0.75, memoryBytes: 1n << 40n, uptimeSeconds: 3600n } },
  ];
}

/**
 * Messages that the JSON form (`nova wire` JSON, idl/WIRE.md) can carry: JSON
 * has no Infinity, so a heartbeat's f32 load average must be finite there.
 * The binary round-trip properties keep using {@link messageArb} with ±Infinity.
 */
export const jsonFormMessageArb: fc.Arbitrary<Message> = messageArb.filter(
  (m) => m.type !== "heartbeat" || Number.isFinite(m.body.loadAverage),
);
