/**
 * The read-only views of `nova dbus`: `introspect` (an object's interfaces,
 * members and current property values, as busctl introspect shows them),
 * `tree` (the object paths found by walking Introspectable's child nodes)
 * and `list` (the bus names with their owners and processes). Each returns
 * its text; dbus-command.ts prints it.
 */
import { readFileSync } from "node:fs";
import type { DbusConnection } from "../dbus/connection.js";
import { formatValue } from "../dbus/wire/format.js";
import type { Variant } from "../dbus/wire/variant.js";
import { isIPCError } from "../errors.js";
import { introspectNode, jsonValue } from "./dbus-values.js";
import { textTable } from "./text-table.js";

/** One row of `nova dbus introspect`. */
export interface MemberRow {
  name: string;
  type: "interface" | "method" | "signal" | "property";
  signature: string;
  /** Out-signature of a method; GVariant text of a readable property's value. */
  value: string;
  flags: string[];
}

const BUS = { destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus" } as const;

/** Properties.GetAll, or an empty map when it fails (write-only properties, a service without Properties). */
async function allProperties(conn: DbusConnection, dest: string, path: string, iface: string, timeoutMs?: number): Promise<Map<string, Variant>> {
  try {
    const r = await conn.call({ destination: dest, path, interface: "org.freedesktop.DBus.Properties", member: "GetAll", signature: "s", body: [iface] }, { timeoutMs });
    return r.body[0] as Map<string, Variant>;
  } catch (error) {
    if (isIPCError(error) && error.code === "RemoteError") return new Map();
    throw error;
  }
}

/** The rows of `introspect` for `dest` at `path`, optionally one interface only; also the raw XML. */
export async function introspectRows(conn: DbusConnection, dest: string, path: string, only?: string, timeoutMs?: number): Promise<{ xml: string; rows: MemberRow[] }> {
  const { xml, node } = await introspectNode(conn, dest, path, timeoutMs);
  const rows: MemberRow[] = [];
  for (const iface of node.interfaces) {
    if (only !== undefined && iface.name !== only) continue;
    rows.push({ name: iface.name, type: "interface", signature: "-", value: "-", flags: [] });
    const values = iface.members.some((m) => m.kind === "property") ? await allProperties(conn, dest, path, iface.name, timeoutMs) : new Map<string, Variant>();
    const sorted = [...iface.members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const m of sorted) {
      const notes = m.annotations.filter((a) => a.value === "true" || a.name.endsWith("EmitsChangedSignal"));
      const flags = notes.map((a) => (a.name.endsWith("EmitsChangedSignal") ? `emits-change=${a.value}` : a.name.replace(/^org\.freedesktop\.DBus\./, "").toLowerCase()));
      if (m.kind === "property") {
        const v = values.get(m.name);
        rows.push({ name: `.${m.name}`, type: "property", signature: m.type, value: v === undefined ? "-" : formatValue(v.signature, v.value), flags: [m.access, ...flags] });
      } else {
        const inSig = m.args.filter((a) => m.kind === "signal" || a.direction !== "out").map((a) => a.type).join("");
        const outSig = m.kind === "method" ? m.args.filter((a) => a.direction === "out").map((a) => a.type).join("") : "-";
        rows.push({ name: `.${m.name}`, type: m.kind, signature: inSig === "" ? "-" : inSig, value: outSig === "" ? "-" : outSig, flags });
      }
    }
  }
  return { xml, rows };
}

/** Rows as an aligned table with busctl's header (NAME TYPE SIGNATURE RESULT/VALUE FLAGS). */
export function rowsTable(rows: readonly MemberRow[]): string {
  return textTable([["NAME", "TYPE", "SIGNATURE", "RESULT/VALUE", "FLAGS"], ...rows.map((r) => [r.name, r.type, r.signature, r.value, r.flags.length === 0 ? "-" : r.flags.join(" ")])]);
}

/** Every object path of `dest` reachable from `/` through child `<node>`s (depth first, sorted), at most `limit`. */
export async function objectPaths(conn: DbusConnection, dest: string, timeoutMs?: number, limit = 10_000): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    if (found.length >= limit) return;
    found.push(path);
    let children: string[];
    try {
      children = (await introspectNode(conn, dest, path, timeoutMs)).node.nodes.map((n) => n.name).filter((n): n is string => n !== undefined);
    } catch (error) {
      if (isIPCError(error) && (error.code === "RemoteError" || error.code === "DeserializationError")) return; // a leaf that does not introspect
      throw error;
    }
    for (const child of children.sort()) await walk(path === "/" ? `/${child}` : `${path}/${child}`);
  };
  await walk("/");
  return found;
}

/** Paths drawn as busctl tree draws them (`├─/org`, `│ └─/org/x`). */
export function treeText(paths: readonly string[]): string {
  const kids = new Map<string, string[]>();
  for (const p of paths.slice(1)) {
    const parent = paths.filter((q) => p.startsWith(q === "/" ? "/" : `${q}/`) && q !== p).sort((a, b) => b.length - a.length)[0] ?? "/";
    kids.set(parent, [...(kids.get(parent) ?? []), p]);
  }
  let out = "";
  const draw = (path: string, prefix: string, last: boolean, root: boolean): void => {
    out += root ? `${path}\n` : `${prefix}${last ? "└─" : "├─"}${path}\n`;
    const children = kids.get(path) ?? [];
    children.forEach((c, i) => draw(c, root ? "" : prefix + (last ? "  " : "│ "), i === children.length - 1, false));
  };
  if (paths.length > 0) draw(paths[0]!, "", true, true);
  return out;
}

/** One bus name as `nova dbus list` shows it. */
export interface NameRow {
  name: string;
  /** The unique name owning it (itself for a unique name); undefined for an activatable name nobody owns. */
  owner?: string;
  pid?: number;
  process?: string;
  uid?: number;
  activatable: boolean;
}

async function optional<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (error) {
    if (isIPCError(error) && error.code === "RemoteError") return undefined;
    throw error;
  }
}

/** ListNames and ListActivatableNames, with each owner's PID, process name and uid (unique names first, then sorted). */
export async function listNames(conn: DbusConnection, timeoutMs?: number): Promise<NameRow[]> {
  const call = (member: string, body: unknown[] = []) => conn.call({ ...BUS, member, signature: body.length > 0 ? "s" : "", body }, { timeoutMs });
  const names = (await call("ListNames")).body[0] as string[];
  const activatable = new Set((await call("ListActivatableNames")).body[0] as string[]);
  const all = [...new Set([...names, ...activatable])].sort((a, b) => (a.startsWith(":") !== b.startsWith(":") ? (a.startsWith(":") ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0));
  const running = new Set(names);
  return Promise.all(
    all.map(async (name): Promise<NameRow> => {
      const row: NameRow = { name, activatable: activatable.has(name) };
      if (!running.has(name)) return row;
      row.owner = name.startsWith(":") ? name : ((await optional(call("GetNameOwner", [name])))?.body[0] as string | undefined);
      if (row.owner === undefined) return row;
      row.pid = (await optional(call("GetConnectionUnixProcessID", [row.owner])))?.body[0] as number | undefined;
      row.uid = (await optional(call("GetConnectionUnixUser", [row.owner])))?.body[0] as number | undefined;
      if (row.pid !== undefined) row.process = processName(row.pid);
      return row;
    }),
  );
}

function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined; // gone, or another namespace
  }
}

/** The list as a table (NAME PID PROCESS USER CONNECTION ACTIVATABLE), or one JSON array. */
export function namesText(rows: readonly NameRow[], json: boolean): string {
  if (json) return JSON.stringify(jsonValue(rows)) + "\n";
  return textTable([["NAME", "PID", "PROCESS", "USER", "CONNECTION", "ACTIVATABLE"], ...rows.map((r) => [r.name, r.pid?.toString() ?? "-", r.process ?? "-", r.uid?.toString() ?? "-", r.owner ?? "-", r.activatable ? "yes" : "-"])]);
}
