/**
 * Validation of the names D-Bus messages carry (D-Bus specification, "Valid
 * Names" and "Valid Object Paths"). GLib rejects a message whose header holds
 * an invalid name, and so do we: the same checks guard what we send.
 */
import { IPCError, type IPCErrorCode } from "../../errors.js";

const OBJECT_PATH = /^\/(?:[A-Za-z0-9_]+(?:\/[A-Za-z0-9_]+)*)?$/;
const INTERFACE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const MEMBER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const UNIQUE_NAME = /^:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+$/;
const WELL_KNOWN_NAME = /^[A-Za-z_-][A-Za-z0-9_-]*(?:\.[A-Za-z_-][A-Za-z0-9_-]*)+$/;
const MAX_NAME = 255;

/** True for a valid object path (`/`, `/a/b_1`; no trailing slash, no empty element). */
export function isObjectPath(s: string): boolean {
  return OBJECT_PATH.test(s);
}

/** True for a valid interface name (also the rule for error names): two or more dot-separated elements. */
export function isInterfaceName(s: string): boolean {
  return s.length <= MAX_NAME && INTERFACE.test(s);
}

/** True for a valid member (method or signal) name. */
export function isMemberName(s: string): boolean {
  return s.length <= MAX_NAME && MEMBER.test(s);
}

/** True for a valid bus name: a unique name (`:1.42`) or a well-known name (`org.example.App`). */
export function isBusName(s: string): boolean {
  return s.length <= MAX_NAME && (s.startsWith(":") ? UNIQUE_NAME.test(s) : WELL_KNOWN_NAME.test(s));
}

/** Checks a name of the given kind; throws IPCError `code` naming the field otherwise. */
export function checkName(kind: "path" | "interface" | "member" | "errorName" | "busName", value: unknown, code: IPCErrorCode): string {
  const ok =
    typeof value === "string" &&
    (kind === "path" ? isObjectPath(value) : kind === "member" ? isMemberName(value) : kind === "busName" ? isBusName(value) : isInterfaceName(value));
  if (!ok) throw new IPCError(code, `invalid D-Bus ${kind}: ${JSON.stringify(value)}`, { context: { field: kind, value } });
  return value as string;
}

type NameKind = "path" | "interface" | "member" | "errorName" | "busName";
const known: Record<NameKind, Set<string>> = { path: new Set(), interface: new Set(), member: new Set(), errorName: new Set(), busName: new Set() };

/**
 * {@link checkName} with a memory of the names already found good, per kind,
 * so that the names every message repeats (paths, interfaces, members, bus
 * names) cost one Set lookup instead of a regular expression.
 */
export function validName(kind: NameKind, value: string, code: IPCErrorCode): string {
  const set = known[kind];
  if (set.has(value)) return value;
  checkName(kind, value, code);
  if (set.size >= 4096) set.clear();
  set.add(value);
  return value;
}
