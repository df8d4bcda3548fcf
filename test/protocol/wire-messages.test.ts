/**
 * The negotiation and envelope messages (idl/WIRE.md §14) as values and inside real frames: the
 * choice rule, every malformed shape as a typed error, and fast-check properties on the decoders
 * (anything a peer can send yields offers or a MessageValidationFailed, never another exception).
 */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IPCError } from "../../runtime/errors.js";
import {
  answerNegotiation,
  chooseProtocol,
  compareVersions,
  decodeEnvelope,
  decodeNegotiationRequest,
  decodeNegotiationResult,
  encodeEnvelope,
  encodeNegotiationRequest,
  encodeNegotiationResult,
  highestCommonVersion,
  MAX_OFFERS,
  NEGOTIATE_METHOD,
  PROTOCOL_NAME,
  type ProtocolInfo,
  type VersionRange,
} from "../../runtime/protocol/index.js";
import { decodeMessage, encodeMessage } from "../../runtime/wire/frame.js";
import type { PayloadFormat, RequestMessage } from "../../runtime/wire/message.js";
import { fixCrc, valueArb } from "../wire/arbitraries.js";
import { thrownCode } from "../helpers/ipc-error.js";
import { ROOT } from "../transport/helpers.js";

const v = (major: number, minor: number) => ({ major, minor });
const info = (name: string, min: [number, number], max: [number, number]): ProtocolInfo => ({ name, versions: { min: v(...min), max: v(...max) } });

const versionArb = fc.record({ major: fc.integer({ min: 0, max: 0xffff }), minor: fc.integer({ min: 0, max: 0xffff }) });
const rangeArb = fc.tuple(versionArb, versionArb).map(([a, b]): VersionRange => (compareVersions(a, b) <= 0 ? { min: a, max: b } : { min: b, max: a }));
const nameArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/);
const offersArb = fc.uniqueArray(fc.record({ name: nameArb, versions: rangeArb }), { selector: (o) => o.name, maxLength: 8 });

function negotiationFrame(params: unknown, format: PayloadFormat): Uint8Array {
  const request: RequestMessage = { type: "request", messageId: 7n, correlationId: 0n, timestampNs: 1n, format, body: { method: NEGOTIATE_METHOD, params, timeoutMs: 100, flags: 0 } };
  return encodeMessage(request);
}

/** What a responder does with a received frame: decode it, then its negotiation params. */
function decodeReceived(frame: Uint8Array): ProtocolInfo[] {
  const message = decodeMessage(frame);
  if (message.type !== "request") throw new IPCError("MessageValidationFailed", "not a request");
  return decodeNegotiationRequest(message.body.params);
}

/** Checks that `fn` returns or throws an IPCError with one of `codes`; returns the code or "ok". */
function outcome(fn: () => unknown, codes: readonly string[]): string {
  try {
    fn();
    return "ok";
  } catch (error) {
    if (!(error instanceof IPCError)) throw error;
    expect(codes).toContain(error.code);
    return error.code;
  }
}

describe("choosing a protocol", () => {
  it("picks the highest version both sides speak, in the initiator's order of preference", () => {
    const local = [info("nova", [1, 0], [1, 0]), info("chat", [1, 0], [1, 4]), info("dbus", [1, 0], [1, 0])];
    expect(chooseProtocol([info("chat", [1, 2], [2, 0])], local)).toEqual({ name: "chat", version: v(1, 4) });
    expect(chooseProtocol([info("chat", [0, 1], [1, 2])], local)).toEqual({ name: "chat", version: v(1, 2) });
    expect(chooseProtocol([info("chat", [1, 4], [1, 4])], local)).toEqual({ name: "chat", version: v(1, 4) });
    // The first offer with an overlap wins, even when a later one would have a higher version.
    expect(chooseProtocol([info("wayland", [1, 0], [9, 0]), info("dbus", [1, 0], [1, 0]), info("chat", [1, 0], [1, 4])], local)).toEqual({ name: "dbus", version: v(1, 0) });
    expect(chooseProtocol([info("chat", [1, 5], [3, 0]), info("nova", [0, 9], [1, 0])], local)).toEqual({ name: "nova", version: v(1, 0) });
  });

  it("answers NoCommonProtocol, naming both sides, when nothing overlaps", () => {
    const local = [info("chat", [1, 0], [1, 4])];
    for (const offers of [[], [info("chat", [1, 5], [2, 0])], [info("chat", [0, 0], [0, 9]), info("other", [1, 0], [1, 0])]]) {
      const params = encodeNegotiationRequest(offers);
      expect(thrownCode(() => answerNegotiation(params, local))).toBe("NoCommonProtocol");
    }
    try {
      answerNegotiation(encodeNegotiationRequest([info("chat", [2, 0], [2, 1])]), local);
    } catch (error) {
      expect((error as IPCError).context).toEqual({ offered: ["chat 2.0-2.1"], supported: ["chat 1.0-1.4"] });
    }
  });

  it("agrees with highestCommonVersion for a single protocol on both sides (property)", () => {
    fc.assert(
      fc.property(nameArb, rangeArb, rangeArb, (name, a, b) => {
        const chosen = chooseProtocol([{ name, versions: a }], [{ name, versions: b }]);
        const common = highestCommonVersion(a, b);
        expect(chosen).toEqual(common && { name, version: common });
      }),
    );
  });
});

describe("the negotiation request decoder", () => {
  it("round-trips any offer list through real msgpack and JSON frames", () => {
    fc.assert(
      fc.property(offersArb, fc.constantFrom<PayloadFormat>("msgpack", "json"), (offers, format) => {
        expect(decodeReceived(negotiationFrame(encodeNegotiationRequest(offers), format))).toEqual(offers);
      }),
    );
  });

  it("rejects each malformed shape with MessageValidationFailed and the path of the bad value", () => {
    const ok = { name: "chat", min: [1, 0], max: [1, 2] };
    const cases: [unknown, unknown[]][] = [
      [undefined, ["params"]],
      [{}, ["params"]],
      [[], ["params"]],
      [["chat"], ["params", 0]],
      [[Array.from({ length: MAX_OFFERS + 1 }, (_, i) => ({ ...ok, name: `p${i}` }))], ["params", 0]],
      [[[ok, "chat"]], ["params", 0, 1]],
      [[[ok, [1, 0]]], ["params", 0, 1]],
      [[[{ ...ok, name: "9lives" }]], ["params", 0, 0, "name"]],
      [[[{ ...ok, name: 7 }]], ["params", 0, 0, "name"]],
      [[[ok, ok]], ["params", 0, 1, "name"]],
      [[[{ ...ok, min: "1.0" }]], ["params", 0, 0, "min"]],
      [[[{ ...ok, min: [1, 0, 0] }]], ["params", 0, 0, "min"]],
      [[[{ ...ok, min: [1, -1] }]], ["params", 0, 0, "min"]],
      [[[{ ...ok, max: [65536, 0] }]], ["params", 0, 0, "max"]],
      [[[{ ...ok, max: [1, 0.5] }]], ["params", 0, 0, "max"]],
      [[[{ ...ok, max: [1n, 0] }]], ["params", 0, 0, "max"]],
      [[[{ ...ok, min: [2, 0] }]], ["params", 0, 0]],
    ];
    for (const [params, path] of cases) {
      try {
        decodeNegotiationRequest(params);
        throw new Error(`accepted ${String(params)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(IPCError);
        expect((error as IPCError).code).toBe("MessageValidationFailed");
        expect((error as IPCError).context.path).toEqual(path);
      }
    }
    // Unknown keys and later params are a newer peer's additions: ignored.
    expect(decodeNegotiationRequest([[{ ...ok, flavour: "x" }], { extra: true }])).toEqual([info("chat", [1, 0], [1, 2])]);
  });

  it("any value yields valid offers or MessageValidationFailed (property)", () => {
    const offerLike = fc.record({ name: fc.oneof(nameArb, valueArb), min: fc.oneof(fc.tuple(fc.integer(), fc.integer()), valueArb), max: fc.oneof(fc.tuple(fc.integer(), fc.integer()), valueArb) }, { requiredKeys: [] });
    const paramsArb = fc.oneof(fc.anything(), valueArb, fc.tuple(fc.array(fc.oneof(offerLike, valueArb), { maxLength: 5 })));
    fc.assert(
      fc.property(paramsArb, (params) => {
        let offers: ProtocolInfo[];
        try {
          offers = decodeNegotiationRequest(params);
        } catch (error) {
          expect(error).toBeInstanceOf(IPCError);
          expect((error as IPCError).code).toBe("MessageValidationFailed");
          return;
        }
        expect(new Set(offers.map((o) => o.name)).size).toBe(offers.length);
        for (const o of offers) {
          expect(o.name).toMatch(PROTOCOL_NAME);
          expect(compareVersions(o.versions.min, o.versions.max)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("corrupted negotiation frames (CRC repaired) give typed errors, never another exception (property)", () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(offersArb, fc.constantFrom<PayloadFormat>("msgpack", "json"), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (offers, format, flips) => {
        const frame = Uint8Array.from(negotiationFrame(encodeNegotiationRequest(offers), format));
        // Flip bytes after the header, so the frame stays a frame and its body reaches the decoders.
        for (const [at, byte] of flips) frame[40 + (at % (frame.length - 40))] = byte;
        const code = outcome(() => decodeReceived(fixCrc(frame)), ["DeserializationError", "MessageValidationFailed", "UnsupportedVersion", "MessageTooLarge", "TruncatedMessage", "CorruptedMessage"]);
        seen.set(code, (seen.get(code) ?? 0) + 1);
      }),
      { numRuns: 500 },
    );
    // The corruption must reach the negotiation decoder, not only the frame decoder.
    expect((seen.get("ok") ?? 0) + (seen.get("MessageValidationFailed") ?? 0)).toBeGreaterThan(0);
  });
});

describe("the negotiation result and the envelope", () => {
  const offers = [info("chat", [1, 0], [1, 4]), info("nova", [1, 0], [1, 0])];

  it("reads a valid answer and refuses a malformed or impossible one with NegotiationFailed", () => {
    expect(decodeNegotiationResult(encodeNegotiationResult({ name: "chat", version: v(1, 3) }), offers)).toEqual({ name: "chat", version: v(1, 3) });
    for (const bad of [null, "chat", [], { name: "chat" }, { name: "chat", version: [1] }, { name: 5, version: [1, 0] }, { name: "dbus", version: [1, 0] }, { name: "chat", version: [1, 5] }, { name: "nova", version: [0, 9] }]) {
      expect(thrownCode(() => decodeNegotiationResult(bad, offers)), JSON.stringify(bad)).toBe("NegotiationFailed");
    }
  });

  it("round-trips envelopes and refuses malformed ones with MessageCorrupted (property)", () => {
    fc.assert(
      fc.property(nameArb, versionArb, fc.uint8Array({ maxLength: 64 }), (name, version, payload) => {
        expect(decodeEnvelope(encodeEnvelope(name, version, payload))).toEqual({ name, version, payload });
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), valueArb, fc.tuple(fc.oneof(nameArb, valueArb), valueArb, valueArb)), (data) => {
        outcome(() => decodeEnvelope(data), ["MessageCorrupted"]);
      }),
      { numRuns: 500 },
    );
    expect(thrownCode(() => decodeEnvelope(["chat", [1, 0], "not bytes"]))).toBe("MessageCorrupted");
    expect(thrownCode(() => decodeEnvelope(["chat room", [1, 0], new Uint8Array(1)]))).toBe("MessageCorrupted");
  });
});

describe("idl/WIRE.md §14", () => {
  it("its JSON example is what the code sends and answers", () => {
    const doc = readFileSync(join(ROOT, "idl/WIRE.md"), "utf8");
    const section = doc.slice(doc.indexOf("## 14. Protocol negotiation"));
    const params = /^`(\[\[\{"name":"chat".*\]\])`;$/m.exec(section)?.[1];
    const answer = /answers the section\s+`(\[\{.*\},null\])`/.exec(section)?.[1];
    expect(params).toBeDefined();
    expect(answer).toBeDefined();
    const offers = [info("chat", [1, 1], [1, 3]), info("nova", [1, 0], [1, 0])];
    expect(JSON.parse(params!)).toEqual(encodeNegotiationRequest(offers));
    const chosen = answerNegotiation(JSON.parse(params!), [info("chat", [1, 0], [1, 2])]);
    expect(JSON.parse(answer!)).toEqual([encodeNegotiationResult(chosen), null]);
  });
});
