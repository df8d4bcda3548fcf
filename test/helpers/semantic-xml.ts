/**
 * Semantic comparison of D-Bus and Wayland XML: what a binding generator would see, not how the file looks.
 *
 * Whitespace, attribute order, comment placement and other spellings of the same thing (`0x10` vs `16`,
 * `since="1"` vs no since, `enum="transform"` vs `enum="wl_output.transform"` inside wl_output, a signal
 * arg with or without direction="out") compare equal. The result is a list of readable differences.
 */
import { readDbusXml, allInterfaces, type DbusAnnotationXml, type DbusArgXml, type DbusInterfaceXml, type DbusItemXml } from "../../generator/import/dbus-xml.js";
import { readWaylandXml, messagesOf, enumsOf, type WlArgXml, type WlDoc, type WlEnumXml, type WlInterfaceXml, type WlMessageXml, type WlProtocolXml } from "../../generator/import/wayland-xml.js";

/** What to compare beyond the structural contract. */
export interface CompareOptions {
  /** Also compare docs (summaries, descriptions, D-Bus doc comments) with whitespace normalised. */
  readonly docs?: boolean;
}

/** Collapse whitespace so re-indented docs compare equal. */
export function normalizeText(text: string | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").trim();
}

class Diff {
  readonly out: string[] = [];
  eq(path: string, what: string, a: unknown, b: unknown): void {
    if (a !== b) this.out.push(`${path}: ${what} ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  }
  /** Compare two keyed collections: report missing/extra keys, call `each` for common ones. */
  keyed<T>(path: string, what: string, a: readonly T[], b: readonly T[], key: (t: T) => string, each: (p: string, x: T, y: T) => void): void {
    const mb = new Map(b.map((t) => [key(t), t]));
    const ma = new Map(a.map((t) => [key(t), t]));
    for (const [k, x] of ma) {
      const y = mb.get(k);
      if (y === undefined) this.out.push(`${path}: ${what} "${k}" only in the first`);
      else each(`${path}${path ? "." : ""}${k}`, x, y);
    }
    for (const k of mb.keys()) if (!ma.has(k)) this.out.push(`${path}: ${what} "${k}" only in the second`);
  }
}

// ---------------------------------------------------------------- Wayland

const since = (n: number | undefined): number => n ?? 1;

function wlDoc(d: Diff, path: string, a: WlDoc, b: WlDoc, opts: CompareOptions): void {
  if (!opts.docs) return;
  d.eq(path, "summary", a.summary ?? "", b.summary ?? "");
  d.eq(path, "description", normalizeText(a.text), normalizeText(b.text));
}

function wlEnumRef(iface: WlInterfaceXml, ref: string | undefined): string | undefined {
  if (ref === undefined) return undefined;
  return ref.includes(".") ? ref : `${iface.name}.${ref}`;
}

function wlArgs(d: Diff, path: string, ia: WlInterfaceXml, ib: WlInterfaceXml, a: readonly WlArgXml[], b: readonly WlArgXml[], opts: CompareOptions): void {
  d.eq(path, "arg count", a.length, b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!, y = b[i]!;
    const p = `${path} arg ${i} (${x.name})`;
    d.eq(p, "name", x.name, y.name);
    d.eq(p, "type", x.type, y.type);
    d.eq(p, "interface", x.interface, y.interface);
    d.eq(p, "allow-null", x.allowNull, y.allowNull);
    d.eq(p, "enum", wlEnumRef(ia, x.enum), wlEnumRef(ib, y.enum));
    wlDoc(d, p, x.doc, y.doc, opts);
  }
}

function wlMessages(d: Diff, path: string, ia: WlInterfaceXml, ib: WlInterfaceXml, kind: "request" | "event", opts: CompareOptions): void {
  const a = messagesOf(ia, kind), b = messagesOf(ib, kind);
  // Opcodes are positions, so order matters: compare position by position.
  d.eq(path, `${kind} names (in opcode order)`, a.map((m) => m.name).join(","), b.map((m) => m.name).join(","));
  const mb = new Map(b.map((m) => [m.name, m] as [string, WlMessageXml]));
  for (const x of a) {
    const y = mb.get(x.name);
    if (y === undefined) continue;
    const p = `${path}.${x.name}`;
    d.eq(p, "destructor", x.destructor, y.destructor);
    d.eq(p, "since", since(x.since), since(y.since));
    d.eq(p, "deprecated-since", x.deprecatedSince, y.deprecatedSince);
    wlDoc(d, p, x.doc, y.doc, opts);
    wlArgs(d, p, ia, ib, x.args, y.args, opts);
  }
}

function wlEnum(d: Diff, p: string, a: WlEnumXml, b: WlEnumXml, opts: CompareOptions): void {
  d.eq(p, "bitfield", a.bitfield, b.bitfield);
  d.eq(p, "since", since(a.since), since(b.since));
  wlDoc(d, p, a.doc, b.doc, opts);
  d.keyed(p, "entry", a.entries, b.entries, (e) => e.name, (pe, x, y) => {
    d.eq(pe, "value", x.numeric ?? x.value, y.numeric ?? y.value);
    d.eq(pe, "since", since(x.since), since(y.since));
    d.eq(pe, "deprecated-since", x.deprecatedSince, y.deprecatedSince);
    wlDoc(d, pe, x.doc, y.doc, opts);
  });
}

/** Differences between two parsed Wayland protocols (empty when semantically equal). */
export function compareWaylandProtocols(a: WlProtocolXml, b: WlProtocolXml, opts: CompareOptions = {}): string[] {
  const d = new Diff();
  d.eq("protocol", "name", a.name, b.name);
  if (opts.docs) {
    d.eq("protocol", "copyright", normalizeText(a.copyright), normalizeText(b.copyright));
    wlDoc(d, "protocol", a.doc, b.doc, opts);
  }
  d.keyed("", "interface", a.interfaces, b.interfaces, (i) => i.name, (p, x, y) => {
    d.eq(p, "version", x.version, y.version);
    wlDoc(d, p, x.doc, y.doc, opts);
    wlMessages(d, p, x, y, "request", opts);
    wlMessages(d, p, x, y, "event", opts);
    d.keyed(p, "enum", enumsOf(x), enumsOf(y), (e) => e.name, (pe, ex, ey) => wlEnum(d, pe, ex, ey, opts));
  });
  return d.out;
}

/** Differences between two Wayland XML texts; a text that does not read is itself a difference. */
export function compareWaylandXml(a: string, b: string, opts: CompareOptions = {}): string[] {
  const ra = readWaylandXml(a), rb = readWaylandXml(b);
  const errs = [...ra.problems.map((p) => `first: ${p.message}`), ...rb.problems.map((p) => `second: ${p.message}`)];
  if (ra.protocol === undefined || rb.protocol === undefined) return errs.length > 0 ? errs : ["unreadable protocol"];
  return [...errs, ...compareWaylandProtocols(ra.protocol, rb.protocol, opts)];
}

// ---------------------------------------------------------------- D-Bus

function dbusAnnotations(d: Diff, path: string, a: readonly DbusAnnotationXml[], b: readonly DbusAnnotationXml[]): void {
  const key = (x: DbusAnnotationXml): string => `${x.name}=${x.value}`;
  d.eq(path, "annotations", a.map(key).sort().join("; "), b.map(key).sort().join("; "));
}

function dbusArgs(d: Diff, path: string, kind: "method" | "signal", a: readonly DbusArgXml[], b: readonly DbusArgXml[], opts: CompareOptions): void {
  // A method's in and out args are two sequences; a signal's args are all "out" whatever the file says.
  const dir = (x: DbusArgXml): string => (kind === "signal" ? "out" : x.direction ?? "in");
  for (const direction of ["in", "out"]) {
    const xa = a.filter((x) => dir(x) === direction), xb = b.filter((x) => dir(x) === direction);
    d.eq(path, `${direction} arg count`, xa.length, xb.length);
    for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
      const x = xa[i]!, y = xb[i]!;
      const p = `${path} ${direction} arg ${i} (${x.name ?? "unnamed"})`;
      d.eq(p, "name", x.name ?? "", y.name ?? "");
      d.eq(p, "type", x.type, y.type);
      dbusAnnotations(d, p, x.annotations, y.annotations);
      if (opts.docs) d.eq(p, "doc", normalizeText(x.doc), normalizeText(y.doc));
    }
  }
}

const EMITS = "org.freedesktop.DBus.Property.EmitsChangedSignal";

/** A property's EmitsChangedSignal as D-Bus reads it: its own, else its interface's, else "true". */
function effectiveEmits(own: readonly DbusAnnotationXml[], iface: readonly DbusAnnotationXml[]): string {
  return own.find((a) => a.name === EMITS)?.value ?? iface.find((a) => a.name === EMITS)?.value ?? "true";
}

function dbusMember(d: Diff, p: string, x: DbusItemXml, y: DbusItemXml, opts: CompareOptions, ifaces: readonly [readonly DbusAnnotationXml[], readonly DbusAnnotationXml[]]): void {
  d.eq(p, "kind", x.kind, y.kind);
  if (x.kind === "property" && y.kind === "property") {
    // Written or left to the default, the same value means the same thing.
    d.eq(p, "EmitsChangedSignal", effectiveEmits(x.annotations, ifaces[0]), effectiveEmits(y.annotations, ifaces[1]));
    const rest = (l: readonly DbusAnnotationXml[]): DbusAnnotationXml[] => l.filter((a) => a.name !== EMITS);
    dbusAnnotations(d, p, rest(x.annotations), rest(y.annotations));
  } else {
    dbusAnnotations(d, p, x.annotations, y.annotations);
  }
  if (opts.docs) d.eq(p, "doc", normalizeText(x.doc), normalizeText(y.doc));
  if (x.kind === "property" && y.kind === "property") {
    d.eq(p, "type", x.type, y.type);
    d.eq(p, "access", x.access, y.access);
  } else if (x.kind !== "property" && y.kind !== "property" && x.kind === y.kind) {
    dbusArgs(d, p, x.kind, x.args, y.args, opts);
  }
}

/** Differences between two lists of D-Bus interfaces (empty when semantically equal). */
export function compareDbusInterfaces(a: readonly DbusInterfaceXml[], b: readonly DbusInterfaceXml[], opts: CompareOptions = {}): string[] {
  const d = new Diff();
  d.keyed("", "interface", a, b, (i) => i.name, (p, x, y) => {
    dbusAnnotations(d, p, x.annotations, y.annotations);
    if (opts.docs) d.eq(p, "doc", normalizeText(x.doc), normalizeText(y.doc));
    d.keyed(p, "member", x.members, y.members, (m) => `${m.kind} ${m.name}`, (pm, mx, my) => dbusMember(d, pm, mx, my, opts, [x.annotations, y.annotations]));
  });
  return d.out;
}

/** Differences between two D-Bus introspection XML texts; a text that does not read is itself a difference. */
export function compareDbusXml(a: string, b: string, opts: CompareOptions = {}): string[] {
  const ra = readDbusXml(a), rb = readDbusXml(b);
  const errs = [...ra.problems.filter((p) => p.severity === "error").map((p) => `first: ${p.message}`), ...rb.problems.filter((p) => p.severity === "error").map((p) => `second: ${p.message}`)];
  if (ra.node === undefined || rb.node === undefined) return errs.length > 0 ? errs : ["unreadable node"];
  return [...errs, ...compareDbusInterfaces(allInterfaces(ra.node), allInterfaces(rb.node), opts)];
}
