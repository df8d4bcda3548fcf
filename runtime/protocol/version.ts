/**
 * Protocol versions (spec 5.1.4 `ProtocolVersion`, 10.1.2 "negotiation-based version selection").
 *
 * A version is `major.minor`, each 0..65535. A handler speaks a contiguous **range** of versions,
 * `min..max` inclusive; a single version is the range `v..v`. Two endpoints agree on the highest
 * version in both ranges. Ranges rather than lists: every protocol we carry (NOVA frames, D-Bus,
 * Wayland interface versions) is backward compatible within its range, and a range is two numbers
 * on the wire for a peer in another language (idl/WIRE.md §14).
 */
import { IPCError } from "../errors.js";

/** One protocol version, `major.minor` (0..65535 each). */
export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
}

/** The versions a handler speaks: every version from `min` to `max`, inclusive. */
export interface VersionRange {
  readonly min: ProtocolVersion;
  readonly max: ProtocolVersion;
}

/** What the APIs accept for a version: `"1.2"`, `"1.0-1.3"`, a {@link ProtocolVersion} or a {@link VersionRange}. */
export type VersionSpec = string | ProtocolVersion | VersionRange;

/** Largest major or minor number (they travel as u16-sized integers). */
export const MAX_VERSION_PART = 0xffff;

function isPart(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= MAX_VERSION_PART;
}

function unsupported(spec: unknown, why: string): IPCError {
  return new IPCError("UnsupportedProtocolVersion", `invalid protocol version ${describe(spec)}: ${why}`, { context: { version: describe(spec) } });
}

function describe(spec: unknown): string {
  if (typeof spec === "string") return JSON.stringify(spec);
  try {
    return JSON.stringify(spec) ?? String(spec);
  } catch {
    return String(spec);
  }
}

/** True when `value` is a well-formed {@link ProtocolVersion}. */
export function isProtocolVersion(value: unknown): value is ProtocolVersion {
  return typeof value === "object" && value !== null && isPart((value as ProtocolVersion).major) && isPart((value as ProtocolVersion).minor);
}

function parseOne(text: string, spec: unknown): ProtocolVersion {
  const m = /^(0|[1-9][0-9]{0,4})\.(0|[1-9][0-9]{0,4})$/.exec(text.trim());
  if (!m) throw unsupported(spec, "expected major.minor");
  const v = { major: Number(m[1]), minor: Number(m[2]) };
  if (!isPart(v.major) || !isPart(v.minor)) throw unsupported(spec, `parts must be 0..${MAX_VERSION_PART}`);
  return v;
}

/**
 * Reads a {@link VersionSpec} into a range. Throws UnsupportedProtocolVersion for anything else:
 * a malformed string, parts outside 0..65535 or not integers, `min` above `max`.
 */
export function toVersionRange(spec: VersionSpec): VersionRange {
  let range: VersionRange;
  if (typeof spec === "string") {
    const dash = spec.indexOf("-");
    range = dash < 0 ? { min: parseOne(spec, spec), max: parseOne(spec, spec) } : { min: parseOne(spec.slice(0, dash), spec), max: parseOne(spec.slice(dash + 1), spec) };
  } else if (isProtocolVersion(spec)) {
    range = { min: { major: spec.major, minor: spec.minor }, max: { major: spec.major, minor: spec.minor } };
  } else if (typeof spec === "object" && spec !== null && isProtocolVersion((spec as VersionRange).min) && isProtocolVersion((spec as VersionRange).max)) {
    const { min, max } = spec as VersionRange;
    range = { min: { major: min.major, minor: min.minor }, max: { major: max.major, minor: max.minor } };
  } else {
    throw unsupported(spec, "expected \"major.minor\", \"min-max\", {major, minor} or {min, max} with integer parts 0..65535");
  }
  if (compareVersions(range.min, range.max) > 0) throw unsupported(spec, "min is above max");
  return range;
}

/** Negative, zero or positive as `a` is below, equal to or above `b`. */
export function compareVersions(a: ProtocolVersion, b: ProtocolVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** True when `range` contains `v`. */
export function inRange(v: ProtocolVersion, range: VersionRange): boolean {
  return compareVersions(v, range.min) >= 0 && compareVersions(v, range.max) <= 0;
}

/** True when `inner` lies entirely within `outer`. */
export function rangeWithin(inner: VersionRange, outer: VersionRange): boolean {
  return inRange(inner.min, outer) && inRange(inner.max, outer);
}

/** The highest version both ranges contain (the lower of the two maxima), or undefined when they do not overlap. */
export function highestCommonVersion(a: VersionRange, b: VersionRange): ProtocolVersion | undefined {
  const max = compareVersions(a.max, b.max) <= 0 ? a.max : b.max;
  return inRange(max, a) && inRange(max, b) ? max : undefined;
}

/** `"1.2"`, or `"1.0-1.3"` for a range of several versions. */
export function formatVersion(v: ProtocolVersion | VersionRange): string {
  if (isProtocolVersion(v)) return `${v.major}.${v.minor}`;
  return compareVersions(v.min, v.max) === 0 ? formatVersion(v.min) : `${formatVersion(v.min)}-${formatVersion(v.max)}`;
}
