/**
 * Interprets annotations into typed facts once, so nothing downstream looks
 * at raw annotation syntax. Reports annotations in the wrong place, bad
 * arguments, and unknown undotted names (likely typos).
 */
import type { Annotation, AnnotationArg, QualifiedName, Span } from "../ast.js";
import type { ConstValue, DbusAnnotation, Deprecation, GenericAnnotation } from "../model.js";
import { error, warning, type Diagnostic } from "../diagnostics.js";
import { evaluate } from "./const-eval.js";
import { suggest } from "./suggest.js";
import { tsIdentifierProblem } from "../targets/ts-identifier.js";

/** The kinds of node an annotation can sit on. */
export type AnnotationSite =
  | "package" | "import" | "interface" | "method" | "signal" | "property"
  | "param" | "field" | "struct" | "enum" | "entry" | "error" | "typedef" | "const";

/** Everything the annotations of one node say. */
export interface AnnotationFacts {
  version: { value: number | string; span: Span } | undefined;
  since: { value: number; span: Span } | undefined;
  deprecated: Deprecation | undefined;
  deprecatedSpan: Span | undefined;
  oneway: boolean;
  idempotent: boolean;
  destructor: boolean;
  enumRef: QualifiedName | undefined;
  emitsChanged: "true" | "invalidates" | "const" | "false" | undefined;
  topic: string | undefined;
  /** Where `@topic` was written (diagnostics about its value point there). */
  topicSpan: Span | undefined;
  /** `@persistent` (interface, signal): its events are written to the event log. */
  persistent: boolean;
  summary: string | undefined;
  copyright: string | undefined;
  external: boolean;
  /** `@closed` on an enum or flags: readers reject values (bits) they do not know. */
  closed: boolean;
  /** `objectManager`: `@dbus(object_manager = true)` on an interface. */
  dbus: { present: boolean; name?: string; path?: string; node?: string; objectManager: boolean; annotations: DbusAnnotation[] };
  wayland: { present: boolean; name?: string; protocol?: string };
  /** `@ts.name("x")` (members) and `@ts.callbacks` (interface, method). */
  ts: { name?: string; callbacks: boolean };
  other: GenericAnnotation[];
}

type Handler = (a: Annotation, facts: AnnotationFacts, site: AnnotationSite, diags: Diagnostic[]) => void;

const MEMBERS: AnnotationSite[] = ["method", "signal", "property"];
const ANY: AnnotationSite[] = ["package", "import", "interface", "method", "signal", "property", "param", "field", "struct", "enum", "entry", "error", "typedef", "const"];

function args(a: Annotation): readonly AnnotationArg[] {
  return a.args ?? [];
}

function constOf(arg: AnnotationArg): ConstValue | undefined {
  if (arg.value.kind === "NameExpr") return { kind: "string", value: arg.value.name.text };
  const r = evaluate(arg.value, () => undefined);
  return r.ok ? r.value : undefined;
}

function bad(diags: Diagnostic[], a: Annotation, what: string, span: Span = a.span): void {
  diags.push(error("NIDL2012", `@${a.name.text}: ${what}`, span));
}

function positiveInt(diags: Diagnostic[], a: Annotation, arg: AnnotationArg | undefined): number | undefined {
  const v = arg ? constOf(arg) : undefined;
  if (!v || v.kind !== "integer" || v.value < 1n || v.value > 0xffffffffn) {
    bad(diags, a, "expects a positive integer", arg?.span ?? a.span);
    return undefined;
  }
  return Number(v.value);
}

function stringArg(diags: Diagnostic[], a: Annotation, arg: AnnotationArg | undefined): string | undefined {
  const v = arg ? constOf(arg) : undefined;
  if (!v || v.kind !== "string") {
    bad(diags, a, "expects a string", arg?.span ?? a.span);
    return undefined;
  }
  return v.value;
}

function boolArg(diags: Diagnostic[], a: Annotation, arg: AnnotationArg): boolean | undefined {
  const v = constOf(arg);
  if (!v || v.kind !== "bool") {
    bad(diags, a, "expects true or false", arg.span);
    return undefined;
  }
  return v.value;
}

function named(a: Annotation, name: string): AnnotationArg | undefined {
  return args(a).find((x) => x.name?.name === name);
}

function onlyNamed(diags: Diagnostic[], a: Annotation, allowed: string[]): void {
  for (const x of args(a)) {
    if (x.name === undefined || !allowed.includes(x.name.name)) {
      bad(diags, a, `unexpected argument; allowed here: ${allowed.map((n) => (n === "object_manager" ? `${n} = true` : `${n} = "..."`)).join(", ") || "none"}`, x.span);
    }
  }
}

const HANDLERS: Record<string, { sites: AnnotationSite[]; handle: Handler }> = {
  version: {
    sites: ["package", "interface"],
    handle(a, f, site, d) {
      const arg = args(a)[0];
      if (site === "package") {
        const v = arg ? constOf(arg) : undefined;
        if (v && (v.kind === "string" || v.kind === "integer")) f.version = { value: String(v.value), span: a.span };
        else bad(d, a, 'expects a version such as "1.2.0"', arg?.span);
        return;
      }
      const n = positiveInt(d, a, arg);
      if (n !== undefined) f.version = { value: n, span: a.span };
    },
  },
  since: {
    sites: ["interface", "method", "signal", "property", "param", "field", "struct", "enum", "entry", "error", "typedef", "const"],
    handle(a, f, _s, d) {
      const n = positiveInt(d, a, args(a)[0]);
      if (n !== undefined) f.since = { value: n, span: a.span };
    },
  },
  deprecated: {
    sites: ANY,
    handle(a, f, _s, d) {
      let since: number | undefined;
      let reason: string | undefined;
      for (const x of args(a)) {
        if (x.name?.name === "since") since = positiveInt(d, a, x);
        else if (x.name === undefined || x.name.name === "reason") reason = stringArg(d, a, x);
        else bad(d, a, 'allowed arguments: a reason string, since = n', x.span);
      }
      f.deprecated = { since, reason };
      f.deprecatedSpan = a.span;
    },
  },
  oneway: { sites: ["method"], handle: (a, f, _s, d) => { noArgs(d, a); f.oneway = true; } },
  idempotent: { sites: ["method"], handle: (a, f, _s, d) => { noArgs(d, a); f.idempotent = true; } },
  destructor: { sites: ["method", "signal"], handle: (a, f, _s, d) => { noArgs(d, a); f.destructor = true; } },
  enum: {
    sites: ["param", "field"],
    handle(a, f, _s, d) {
      const arg = args(a)[0];
      if (!arg || arg.value.kind !== "NameExpr" || args(a).length !== 1) bad(d, a, "expects one enum name, e.g. @enum(wl_output.transform)");
      else f.enumRef = arg.value.name;
    },
  },
  emits_changed: {
    sites: ["property"],
    handle(a, f, _s, d) {
      const s = stringArg(d, a, args(a)[0]);
      if (s === undefined) return;
      if (s === "true" || s === "invalidates" || s === "const" || s === "false") f.emitsChanged = s;
      else bad(d, a, 'expects "true", "invalidates", "const" or "false"', args(a)[0]?.span);
    },
  },
  topic: { sites: ["interface", "signal"], handle: (a, f, _s, d) => { f.topic = stringArg(d, a, args(a)[0]); f.topicSpan = args(a)[0]?.span ?? a.span; } },
  persistent: { sites: ["interface", "signal"], handle: (a, f, _s, d) => { noArgs(d, a); f.persistent = true; } },
  summary: { sites: ANY, handle: (a, f, _s, d) => { f.summary = stringArg(d, a, args(a)[0]); } },
  external: { sites: ["package", "interface"], handle: (a, f, _s, d) => { noArgs(d, a); f.external = true; } },
  closed: { sites: ["enum"], handle: (a, f, _s, d) => { noArgs(d, a); f.closed = true; } },
  copyright: { sites: ["package"], handle: (a, f, _s, d) => { f.copyright = stringArg(d, a, args(a)[0]); } },
  dbus: {
    sites: ["package", "interface", ...MEMBERS, "param", "error", "entry"],
    handle(a, f, site, d) {
      f.dbus.present = true;
      const allowed = site === "package" ? ["node"] : site === "interface" ? ["name", "path", "object_manager"] : ["name"];
      onlyNamed(d, a, allowed);
      const name = named(a, "name");
      if (name && allowed.includes("name")) f.dbus.name = stringArg(d, a, name);
      const path = named(a, "path");
      if (path && allowed.includes("path")) f.dbus.path = stringArg(d, a, path);
      const node = named(a, "node");
      if (node && allowed.includes("node")) f.dbus.node = stringArg(d, a, node);
      const manager = named(a, "object_manager");
      if (manager && allowed.includes("object_manager")) f.dbus.objectManager = boolArg(d, a, manager) ?? false;
    },
  },
  "dbus.annotation": {
    sites: ["interface", ...MEMBERS, "param"],
    handle(a, f, _s, d) {
      const [n, v] = args(a);
      if (args(a).length !== 2 || n.name || v.name) {
        bad(d, a, 'expects two strings: @dbus.annotation("org.example.Name", "value")');
        return;
      }
      const name = stringArg(d, a, n);
      const value = stringArg(d, a, v);
      if (name !== undefined && value !== undefined) f.dbus.annotations.push({ name, value });
    },
  },
  wayland: {
    sites: ["package", "interface", ...MEMBERS, "param", "enum", "entry"],
    handle(a, f, site, d) {
      f.wayland.present = true;
      const allowed = site === "package" ? ["protocol"] : ["name"];
      onlyNamed(d, a, allowed);
      const name = named(a, "name");
      if (name && allowed.includes("name")) f.wayland.name = stringArg(d, a, name);
      const protocol = named(a, "protocol");
      if (protocol && allowed.includes("protocol")) f.wayland.protocol = stringArg(d, a, protocol);
    },
  },
  "ts.name": {
    sites: MEMBERS,
    handle(a, f, _s, d) {
      const arg = args(a)[0];
      const name = args(a).length === 1 && arg.name === undefined ? stringArg(d, a, arg) : (bad(d, a, 'expects one string: @ts.name("memberName")'), undefined);
      const problem = name === undefined ? undefined : tsIdentifierProblem(name);
      if (problem !== undefined) bad(d, a, problem, arg?.span);
      else if (name !== undefined) f.ts.name = name;
    },
  },
  "ts.callbacks": { sites: ["interface", "method"], handle: (a, f, _s, d) => { noArgs(d, a); f.ts.callbacks = true; } },
};

function noArgs(diags: Diagnostic[], a: Annotation): void {
  if (args(a).length > 0) bad(diags, a, "takes no arguments", a.args?.[0]?.span);
}

function emptyFacts(): AnnotationFacts {
  return {
    version: undefined, since: undefined, deprecated: undefined, deprecatedSpan: undefined,
    oneway: false, idempotent: false, destructor: false, enumRef: undefined, emitsChanged: undefined,
    topic: undefined, topicSpan: undefined, persistent: false, summary: undefined, copyright: undefined, external: false, closed: false,
    dbus: { present: false, objectManager: false, annotations: [] }, wayland: { present: false }, ts: { callbacks: false }, other: [],
  };
}

const SITE_NOUN: Record<AnnotationSite, string> = {
  package: "a package", import: "an import", interface: "an interface", method: "a method", signal: "a signal",
  property: "a property", param: "an argument", field: "a field", struct: "a struct", enum: "an enum",
  entry: "an enum entry", error: "an error", typedef: "a typedef", const: "a constant",
};

/** Reads the annotations of one node at `site`. */
export function readAnnotations(anns: readonly Annotation[], site: AnnotationSite, diags: Diagnostic[]): AnnotationFacts {
  const facts = emptyFacts();
  const seen = new Map<string, Annotation>();
  for (const a of anns) {
    const key = a.name.text;
    const h = HANDLERS[key];
    if (h === undefined) {
      if (!key.includes(".") || key.startsWith("dbus.") || key.startsWith("wayland.") || key.startsWith("ts.")) {
        const near = suggest(key, Object.keys(HANDLERS));
        const hint = near !== undefined ? `did you mean @${near}? ` : "";
        diags.push(warning("NIDL2011", `unknown annotation @${key} (${hint}kept for emitters; a dotted name such as @myorg.${key} marks your own)`, a.name.span));
      }
      facts.other.push({
        name: key,
        args: args(a).flatMap((x) => {
          const v = constOf(x);
          return v ? [{ name: x.name?.name, value: v }] : [];
        }),
      });
      continue;
    }
    if (!h.sites.includes(site)) {
      diags.push(error("NIDL2013", `@${key} is not allowed on ${SITE_NOUN[site]}`, a.name.span));
      continue;
    }
    const prev = seen.get(key);
    if (prev !== undefined && key !== "dbus.annotation") {
      diags.push(error("NIDL2013", `@${key} is given twice`, a.name.span, [{ message: "first given here", span: prev.name.span }]));
      continue;
    }
    seen.set(key, a);
    h.handle(a, facts, site, diags);
  }
  mapWellKnownDbus(facts, diags, anns, site);
  return facts;
}

const DBUS_DEPRECATED = "org.freedesktop.DBus.Deprecated";
const DBUS_NOREPLY = "org.freedesktop.DBus.Method.NoReply";
const DBUS_EMITS = "org.freedesktop.DBus.Property.EmitsChangedSignal";

/**
 * Folds generic D-Bus annotations that have a first-class meaning into the
 * typed fields, so emitters print each exactly once.
 */
function mapWellKnownDbus(facts: AnnotationFacts, diags: Diagnostic[], anns: readonly Annotation[], site: AnnotationSite): void {
  const span = anns.find((a) => a.name.text === "dbus.annotation")?.span;
  // Fold only where the typed field exists and the D-Bus emitter prints it back; elsewhere keep it verbatim.
  const deprecatable = site === "interface" || site === "method" || site === "signal" || site === "property";
  facts.dbus.annotations = facts.dbus.annotations.filter((x) => {
    if (x.name === DBUS_DEPRECATED && x.value === "true" && deprecatable) {
      facts.deprecated ??= { since: undefined, reason: undefined };
      return false;
    }
    if (x.name === DBUS_NOREPLY && x.value === "true" && site === "method") {
      facts.oneway = true;
      return false;
    }
    if (x.name === DBUS_EMITS && site === "property") {
      if (x.value === "true" || x.value === "invalidates" || x.value === "const" || x.value === "false") {
        facts.emitsChanged ??= x.value;
        return false;
      }
      diags.push(warning("NIDL2012", `${DBUS_EMITS} should be true, invalidates, const or false`, span));
    }
    return true;
  });
}

/** Names of the annotations the resolver interprets. */
export const KNOWN_ANNOTATIONS: readonly string[] = Object.keys(HANDLERS).sort();
