/**
 * The two control messages of the protocol layer, as values inside ordinary NOVA frames
 * (idl/WIRE.md §14), so no frame field changes and a peer that predates them answers with a plain
 * `MethodNotFound`:
 *
 * - negotiation: a Request `@nova.negotiate` whose params are `[offers]`, answered by a Response
 *   whose value is the chosen `{name, version}` or an error (NoCommonProtocol,
 *   MessageValidationFailed);
 * - an envelope: an Event of type `@nova.protocol` whose data is `[name, [major, minor], payload]`
 *   carries one message of a protocol other than `nova`, encoded by its handler.
 *
 * Everything here is pure: values in, values or typed IPCErrors out. Values come from a peer, so
 * every decoder checks every field and never throws anything but an IPCError.
 */
import { IPCError } from "../errors.js";
import { PROTOCOL_NAME, type NegotiatedProtocol, type ProtocolInfo } from "./handler.js";
import { compareVersions, formatVersion, highestCommonVersion, inRange, isProtocolVersion, MAX_VERSION_PART, type ProtocolVersion } from "./version.js";

/** Method name of the negotiation Request. */
export const NEGOTIATE_METHOD = "@nova.negotiate";
/** Event type of a protocol envelope. */
export const PROTOCOL_EVENT = "@nova.protocol";
/** Most entries in one offer (a bound on what a peer can make us scan). */
export const MAX_OFFERS = 64;

/** A version on the wire: `[major, minor]`. */
type WireVersion = [number, number];

function wireVersion(v: ProtocolVersion): WireVersion {
  return [v.major, v.minor];
}

function readVersion(value: unknown): ProtocolVersion | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const v = { major: value[0] as unknown, minor: value[1] as unknown };
  return isProtocolVersion(v) ? v : undefined;
}

function invalid(message: string, path: readonly (string | number)[]): IPCError {
  return new IPCError("MessageValidationFailed", `${NEGOTIATE_METHOD}: ${message}`, { context: { method: NEGOTIATE_METHOD, path: ["params", ...path] } });
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The params of a negotiation Request offering `offers` (in order of preference). */
export function encodeNegotiationRequest(offers: readonly ProtocolInfo[]): unknown[] {
  return [offers.map((o) => ({ name: o.name, min: wireVersion(o.versions.min), max: wireVersion(o.versions.max) }))];
}

/**
 * Reads the params of a negotiation Request. Throws MessageValidationFailed, with
 * `context.path` locating the bad value, for anything but `[offers, ...]` where `offers` is an
 * array of at most {@link MAX_OFFERS} maps `{name, min, max}` with distinct valid names and
 * `min` ≤ `max`. Unknown keys and params after the first are ignored (a newer peer's additions).
 */
export function decodeNegotiationRequest(params: unknown): ProtocolInfo[] {
  if (!Array.isArray(params) || params.length < 1) throw invalid("params must be [offers]", []);
  const offers: unknown = params[0];
  if (!Array.isArray(offers)) throw invalid("offers must be an array", [0]);
  if (offers.length > MAX_OFFERS) throw invalid(`at most ${MAX_OFFERS} offers`, [0]);
  const seen = new Set<string>();
  return offers.map((offer: unknown, i) => {
    if (!isMap(offer)) throw invalid("an offer must be a map {name, min, max}", [0, i]);
    const { name } = offer;
    if (typeof name !== "string" || !PROTOCOL_NAME.test(name)) throw invalid("an offer's name must match [A-Za-z][A-Za-z0-9._-]{0,63}", [0, i, "name"]);
    if (seen.has(name)) throw invalid(`protocol ${name} offered twice`, [0, i, "name"]);
    seen.add(name);
    const min = readVersion(offer.min);
    if (!min) throw invalid(`min must be [major, minor], integers 0..${MAX_VERSION_PART}`, [0, i, "min"]);
    const max = readVersion(offer.max);
    if (!max) throw invalid(`max must be [major, minor], integers 0..${MAX_VERSION_PART}`, [0, i, "max"]);
    if (compareVersions(min, max) > 0) throw invalid(`${name}: min ${formatVersion(min)} is above max ${formatVersion(max)}`, [0, i]);
    return { name, versions: { min, max } };
  });
}

/**
 * The responder's choice: the first of the initiator's `offers` (its order of preference) that
 * `local` also has with overlapping versions, at the highest version both speak. Undefined when
 * there is none.
 */
export function chooseProtocol(offers: readonly ProtocolInfo[], local: readonly ProtocolInfo[]): NegotiatedProtocol | undefined {
  for (const offer of offers) {
    const mine = local.find((p) => p.name === offer.name);
    const version = mine && highestCommonVersion(offer.versions, mine.versions);
    if (version) return { name: offer.name, version };
  }
  return undefined;
}

/**
 * What a responder answers to the params of a negotiation Request, given the protocols it
 * speaks. Throws MessageValidationFailed for malformed params and NoCommonProtocol (context:
 * what was offered, what we have) when nothing overlaps.
 */
export function answerNegotiation(params: unknown, local: readonly ProtocolInfo[]): NegotiatedProtocol {
  const offers = decodeNegotiationRequest(params);
  const chosen = chooseProtocol(offers, local);
  if (!chosen) {
    throw new IPCError("NoCommonProtocol", "no protocol offered is spoken here in an overlapping version", {
      context: { offered: offers.map((o) => `${o.name} ${formatVersion(o.versions)}`), supported: local.map((o) => `${o.name} ${formatVersion(o.versions)}`) },
    });
  }
  return chosen;
}

/** The Response value announcing `chosen`. */
export function encodeNegotiationResult(chosen: NegotiatedProtocol): { name: string; version: WireVersion } {
  return { name: chosen.name, version: wireVersion(chosen.version) };
}

/**
 * Reads the Response value of a negotiation the initiator made with `offers`. Throws
 * NegotiationFailed when it is malformed or names a protocol or version that was not offered
 * (the peer broke the protocol: agreeing to it would leave the two sides disagreeing).
 */
export function decodeNegotiationResult(value: unknown, offers: readonly ProtocolInfo[]): NegotiatedProtocol {
  const fail = (why: string): IPCError => new IPCError("NegotiationFailed", `the peer's negotiation answer ${why}`, { context: { method: NEGOTIATE_METHOD } });
  if (!isMap(value)) throw fail("is not a map {name, version}");
  const { name } = value;
  const version = readVersion(value.version);
  if (typeof name !== "string" || !version) throw fail("lacks a string name and a [major, minor] version");
  const offer = offers.find((o) => o.name === name);
  if (!offer) throw fail(`names ${JSON.stringify(name)}, which was not offered`);
  if (!inRange(version, offer.versions)) throw fail(`picks ${name} ${formatVersion(version)}, outside the offered ${formatVersion(offer.versions)}`);
  return { name, version };
}

/** The data of an envelope Event carrying `payload` of protocol `name` at `version`. */
export function encodeEnvelope(name: string, version: ProtocolVersion, payload: Uint8Array): unknown[] {
  return [name, wireVersion(version), payload];
}

/** A received envelope. */
export interface Envelope {
  readonly name: string;
  readonly version: ProtocolVersion;
  readonly payload: Uint8Array;
}

/** Reads the data of an envelope Event; MessageCorrupted unless it is `[name, [major, minor], bytes]` with a valid name. */
export function decodeEnvelope(data: unknown): Envelope {
  if (Array.isArray(data) && data.length === 3) {
    const [name, v, payload] = data as unknown[];
    const version = readVersion(v);
    if (typeof name === "string" && PROTOCOL_NAME.test(name) && version && payload instanceof Uint8Array) return { name, version, payload };
  }
  throw new IPCError("MessageCorrupted", `a ${PROTOCOL_EVENT} event must carry [name, [major, minor], bytes]`, { context: { eventType: PROTOCOL_EVENT } });
}
