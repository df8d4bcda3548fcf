/**
 * What the `nova dbus` verbs share: which bus (`--session`, `--system`,
 * `--address`), the JSON form of D-Bus values, reading arguments in busctl's
 * syntax or as GVariant text, and looking members up in an object's
 * introspection XML (for the types `--gvariant` needs, as `gdbus call`
 * does).
 */
import { IPCError } from "../errors.js";
import { toTaggedJson } from "../codec/value-json.js";
import { DbusConnection } from "../dbus/connection.js";
import { parseBusctlArgs } from "../dbus/busctl-args.js";
import { parseGVariantBody } from "../dbus/gvariant-parse.js";
import { Variant } from "../dbus/wire/variant.js";
import type { DbusMessage } from "../dbus/wire/message.js";
import { T, parseSignature, parseSingleType, type SigType } from "../dbus/wire/signature.js";
import type { DbusInterfaceXml, DbusNodeXml } from "../../generator/import/dbus-xml.js";

/** The options every `nova dbus` verb takes (on `nova dbus` or on the verb). */
export interface DbusCliOptions {
  session?: boolean;
  system?: boolean;
  address?: string;
  /** Milliseconds for connecting and for each call (default 25 000, as busctl and libdbus). */
  timeout?: number;
  json?: boolean;
}

/** The `bus`/`address` of DbusConnection.connect for the options (commander refuses two of them at once). */
export function busTarget(o: DbusCliOptions): { address?: string; bus?: "session" | "system" } {
  return o.address !== undefined ? { address: o.address } : { bus: o.system === true ? "system" : "session" };
}

/** Connects as the options say, runs `work`, and always closes the connection. */
export async function withBus<R>(o: DbusCliOptions, work: (conn: DbusConnection) => Promise<R>): Promise<R> {
  const conn = await DbusConnection.connect({ ...busTarget(o), timeoutMs: o.timeout ?? 25_000 });
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}

/** A D-Bus value with variants as `{type, data}`, bytes as number arrays, maps as objects, then tagged JSON (bigints `{"$n": "…"}`). */
export function jsonValue(value: unknown): unknown {
  return toTaggedJson(plain(value));
}

function plain(value: unknown): unknown {
  if (value instanceof Variant) return { type: value.signature, data: plain(value.value) };
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, plain(v)]));
  return value;
}

/**
 * `value` with each `h` (a descriptor this process received) replaced by its index in the
 * message's descriptors, which is what travelled on the wire and what GLib prints.
 */
function wireHandles(t: SigType, value: unknown, fds: readonly number[]): unknown {
  switch (t.code) {
    case T.UNIX_FD:
      return fds.indexOf(value as number);
    case T.VARIANT: {
      const v = value as Variant;
      return new Variant(v.signature, wireHandles(parseSingleType(v.signature), v.value, fds));
    }
    case T.STRUCT:
    case T.DICT_ENTRY:
      return t.fields!.map((f, i) => wireHandles(f, (value as unknown[])[i], fds));
    case T.ARRAY:
      if (t.isDict) {
        const [kt, vt] = t.elem!.fields!;
        return new Map([...(value as Map<unknown, unknown>)].map(([k, v]) => [wireHandles(kt!, k, fds), wireHandles(vt!, v, fds)]));
      }
      return t.elem!.code === T.BYTE ? value : (value as unknown[]).map((v) => wireHandles(t.elem!, v, fds));
    default:
      return value;
  }
}

/** The body of `msg` as sent: descriptors as their indexes (see {@link wireHandles}). */
export function wireBody(msg: DbusMessage): unknown[] {
  if (msg.fds.length === 0) return msg.body;
  return parseSignature(msg.signature).types.map((t, i) => wireHandles(t, msg.body[i], msg.fds));
}

/** `{"type": signature, "data": [values]}`, busctl's JSON shape for a body. */
export function jsonBody(signature: string, body: readonly unknown[]): string {
  return JSON.stringify({ type: signature, data: jsonValue(body) });
}

/** Introspects `path` of `dest` and parses the XML. Throws RemoteError (the call) or DeserializationError (bad XML). */
export async function introspectNode(conn: DbusConnection, dest: string, path: string, timeoutMs?: number): Promise<{ xml: string; node: DbusNodeXml }> {
  const reply = await conn.call({ destination: dest, path, interface: "org.freedesktop.DBus.Introspectable", member: "Introspect" }, { timeoutMs });
  const xml = reply.body[0] as string;
  // Loaded on first use: every `nova` command imports this module, few need an XML parser.
  const { readDbusXml } = await import("../../generator/import/dbus-xml.js");
  const { node, problems } = readDbusXml(xml);
  if (node === undefined) {
    throw new IPCError("DeserializationError", `${dest} ${path}: the introspection XML does not parse: ${problems.map((p) => p.message).join("; ")}`, { context: { dest, path } });
  }
  return { xml, node };
}

function findInterface(node: DbusNodeXml, iface: string, where: string): DbusInterfaceXml {
  const found = node.interfaces.find((i) => i.name === iface);
  if (found === undefined) throw new IPCError("MethodNotFound", `${where} has no interface ${iface} (nova dbus introspect lists what it has)`, { context: { iface } });
  return found;
}

/** The in-signature of `iface.method` at `path`, from its introspection (what `--gvariant` without a SIGNATURE uses). */
export async function methodSignature(conn: DbusConnection, dest: string, path: string, iface: string, method: string, timeoutMs?: number): Promise<string> {
  const { node } = await introspectNode(conn, dest, path, timeoutMs);
  const m = findInterface(node, iface, `${dest} ${path}`).members.find((x) => x.kind === "method" && x.name === method);
  if (m === undefined || m.kind !== "method") throw new IPCError("MethodNotFound", `${dest} ${path} ${iface} has no method ${method}`, { context: { iface, method } });
  return m.args.filter((a) => a.direction !== "out").map((a) => a.type).join("");
}

/** The type of property `iface.prop` at `path`, from its introspection. */
export async function propertySignature(conn: DbusConnection, dest: string, path: string, iface: string, prop: string, timeoutMs?: number): Promise<string> {
  const { node } = await introspectNode(conn, dest, path, timeoutMs);
  const p = findInterface(node, iface, `${dest} ${path}`).members.find((x) => x.kind === "property" && x.name === prop);
  if (p === undefined || p.kind !== "property") throw new IPCError("MethodNotFound", `${dest} ${path} ${iface} has no property ${prop}`, { context: { iface, prop } });
  return p.type;
}

/**
 * The body to send: `gvariant` (one tuple text, `(2, 'x')`) typed by `signature`, or by
 * `lookup()` when no signature was given; else busctl-style `words` after `signature`.
 */
export async function readArguments(signature: string | undefined, words: readonly string[], gvariant: string | undefined, lookup: () => Promise<string>): Promise<{ signature: string; body: unknown[] }> {
  if (gvariant !== undefined) {
    if (words.length > 0) throw new IPCError("InvalidArgument", `--gvariant gives all the arguments: remove ${words.join(" ")}`);
    const sig = signature ?? (await lookup());
    return { signature: sig, body: parseGVariantBody(sig, gvariant) };
  }
  if (signature === undefined) return { signature: "", body: [] };
  return { signature, body: parseBusctlArgs(signature, words) };
}
