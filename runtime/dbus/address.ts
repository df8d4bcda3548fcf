/**
 * D-Bus server addresses (D-Bus specification, "Server Addresses"):
 * `unix:path=/run/user/1000/bus`, `unix:abstract=name`, `tcp:host=h,port=p`,
 * values %-escaped, several addresses separated by `;` and tried in order;
 * and where the session and system buses are found.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { IPCError } from "../errors.js";

/** One parsed address. Transports we cannot connect to are kept (connect skips them with a reason). */
export interface DbusAddress {
  /** `unix`, `tcp`, or whatever the address names (`launchd`, `unixexec`, …). */
  readonly transport: string;
  /** The key/value pairs, unescaped. */
  readonly params: ReadonlyMap<string, string>;
  /** The address text as given. */
  readonly text: string;
}

/** Where to connect a socket: a filesystem path, an abstract name (no leading NUL), or host and port. */
export type SocketTarget = { kind: "path"; path: string } | { kind: "abstract"; name: string } | { kind: "tcp"; host: string; port: number };

function bad(text: string, why: string): never {
  throw new IPCError("InvalidEndpointName", `invalid D-Bus address ${JSON.stringify(text)}: ${why}`, { context: { address: text } });
}

function unescape(text: string, value: string): string {
  if (!/^(?:[-0-9A-Za-z_/.\\*]|%[0-9A-Fa-f]{2})*$/.test(value)) bad(text, `bad character or escape in ${JSON.stringify(value)}`);
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === "%") {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(value.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * Parses an address list: `transport:key=value,key=value;…`. Empty entries
 * are ignored; a syntax error anywhere is IPCError InvalidEndpointName.
 */
export function parseAddresses(text: string): DbusAddress[] {
  if (typeof text !== "string" || text.trim() === "") bad(String(text), "empty");
  const out: DbusAddress[] = [];
  for (const entry of text.split(";")) {
    if (entry === "") continue;
    const colon = entry.indexOf(":");
    if (colon <= 0) bad(entry, "no transport name before ':'");
    const params = new Map<string, string>();
    const rest = entry.slice(colon + 1);
    for (const pair of rest === "" ? [] : rest.split(",")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) bad(entry, `${JSON.stringify(pair)} is not key=value`);
      const key = pair.slice(0, eq);
      if (params.has(key)) bad(entry, `duplicate key ${key}`);
      params.set(key, unescape(entry, pair.slice(eq + 1)));
    }
    out.push({ transport: entry.slice(0, colon), params, text: entry });
  }
  if (out.length === 0) bad(text, "no address");
  return out;
}

/**
 * Where a client connects for `address`, or a reason it cannot: this
 * implementation connects to `unix:path=`, `unix:abstract=`,
 * `unix:runtime=yes` (the socket `bus` in `$XDG_RUNTIME_DIR`, where a bus
 * listening on that address puts it) and `tcp:host=,port=` (family ipv4/ipv6
 * is left to the resolver). `unix:tmpdir=` and `unix:dir=` are listen-only
 * in the specification (the server picks a random name there), so a client
 * given one gets a reason saying so; so do other transports.
 */
export function socketTarget(address: DbusAddress, env: NodeJS.ProcessEnv = process.env): SocketTarget | string {
  const p = address.params;
  if (address.transport === "unix") {
    const given = ["path", "abstract", "runtime", "tmpdir", "dir"].filter((k) => p.has(k));
    if (given.length !== 1) return `${address.text}: a unix address needs exactly one of path=, abstract= or runtime=yes`;
    const path = p.get("path");
    if (path !== undefined) return { kind: "path", path };
    const abstract = p.get("abstract");
    if (abstract !== undefined) return { kind: "abstract", name: abstract };
    if (p.has("runtime")) {
      if (p.get("runtime") !== "yes") return `${address.text}: runtime= must be yes`;
      const runtime = env.XDG_RUNTIME_DIR;
      if (runtime === undefined || runtime === "") return `${address.text}: XDG_RUNTIME_DIR is not set`;
      return { kind: "path", path: join(runtime, "bus") };
    }
    return `${address.text}: unix:${given[0]}= is an address to listen on (the server picks the socket's name), not one to connect to; use the address the bus prints (path= or abstract=)`;
  }
  if (address.transport === "tcp") {
    const port = Number(p.get("port"));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return `${address.text}: a tcp address needs port=1..65535`;
    return { kind: "tcp", host: p.get("host") ?? "localhost", port };
  }
  return `${address.text}: transport ${address.transport} is not supported (unix and tcp are)`;
}

/** The session bus address: $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus when that socket exists. */
export function sessionBusAddress(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.DBUS_SESSION_BUS_ADDRESS;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && existsSync(join(runtime, "bus"))) return `unix:path=${escapeValue(join(runtime, "bus"))}`;
  throw new IPCError("EndpointUnreachable", "no session bus: DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist");
}

/** The system bus address: $DBUS_SYSTEM_BUS_ADDRESS, else the well-known socket (D-Bus specification). */
export function systemBusAddress(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.DBUS_SYSTEM_BUS_ADDRESS;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : "unix:path=/var/run/dbus/system_bus_socket";
}

/** %-escapes a value for an address (every byte outside the optionally-escaped set). */
export function escapeValue(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[-0-9A-Za-z_/.\\*]/.test(c) ? c : `%${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}
