/**
 * Turns the inputs of one side of `nova-gen compat` (NIDL, D-Bus XML, Wayland XML texts) into a
 * {@link CompatSide}: XML is imported first, everything is compiled together, and spans of imported
 * declarations are mapped back to their XML elements. Pure: the CLI reads the files.
 */
import type { Span } from "../ast.js";
import { createDiagnostic, hasErrors, type Diagnostic } from "../diagnostics.js";
import { compile, type CompilerHost, type SourceFile } from "../index.js";
import { importDbus } from "../import/dbus.js";
import type { ImportedNidl, XmlSource } from "../import/import-result.js";
import { importWayland } from "../import/wayland.js";
import type { CompatSide } from "./compat-side.js";

/** What kind of document a text is. */
export type InputKind = "nidl" | "dbus" | "wayland" | "unknown";

/** Classifies an input by extension and, for XML, by its root element. */
export function classifyInput(path: string, text: string): InputKind {
  if (path.endsWith(".nidl")) return "nidl";
  if (!path.endsWith(".xml")) return "unknown";
  const body = text.replace(/<\?[\s\S]*?\?>/g, "").replace(/<!--[\s\S]*?-->/g, "").replace(/<!DOCTYPE[^>]*>/gi, "");
  const root = /<\s*([A-Za-z_][\w:.-]*)/.exec(body)?.[1];
  return root === "protocol" ? "wayland" : root === "node" ? "dbus" : "unknown";
}

/** A loaded side, or the diagnostics that prevented loading it. */
export interface LoadedSide {
  readonly side: CompatSide | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** Every text involved (inputs and imported NIDL), for rendering diagnostics. */
  readonly sources: ReadonlyMap<string, string>;
}

/**
 * Loads one side. `label` prefixes the virtual paths of imported files (`old/xdg-shell.nidl`) so that
 * both sides can be rendered in one report. `host` reads `.nidl` imports that are not among the inputs.
 */
export function loadSide(label: string, inputs: readonly SourceFile[], host?: CompilerHost): LoadedSide {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const nidl: SourceFile[] = [];
  const dbus: XmlSource[] = [];
  const wayland: XmlSource[] = [];
  for (const input of inputs) {
    sources.set(input.path, input.text);
    const kind = classifyInput(input.path, input.text);
    if (kind === "nidl") nidl.push(input);
    else if (kind === "dbus") dbus.push(input);
    else if (kind === "wayland") wayland.push(input);
    else diagnostics.push(createDiagnostic("NIDL5010", "error", `${input.path} is neither .nidl nor D-Bus/Wayland XML`, { file: input.path, start: 0, end: 0 }));
  }
  const imported: ImportedNidl[] = [];
  for (const r of [importWayland(wayland), importDbus(dbus)]) {
    diagnostics.push(...r.diagnostics);
    imported.push(...r.files);
  }
  const origins = new Map<string, ReadonlyMap<string, Span>>();
  for (const f of imported) {
    const path = `${label}/${f.path}`;
    origins.set(path, f.origins);
    sources.set(path, f.text);
    nidl.push({ path, text: f.text });
  }
  const result = compile(nidl, host === undefined ? {} : { host });
  for (const [p, t] of result.sources) sources.set(p, t);
  diagnostics.push(...result.diagnostics);
  if (hasErrors(diagnostics)) return { side: undefined, diagnostics, sources };
  const locate = (span: Span, key: string): Span => origins.get(span.file)?.get(key) ?? span;
  return { side: { model: result.model, locate }, diagnostics, sources };
}
