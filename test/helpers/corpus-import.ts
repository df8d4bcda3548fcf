/**
 * Imports the whole corpus once (Wayland files together, D-Bus files together) and compiles the result:
 * the corpus test uses it for the round trips, the fmt check and the speed figure.
 */
import { readFileSync } from "node:fs";
import type { Diagnostic } from "../../generator/diagnostics.js";
import { compile, type CompileResult } from "../../generator/index.js";
import { importDbus } from "../../generator/import/dbus.js";
import type { ImportedNidl } from "../../generator/import/import-result.js";
import { importWayland } from "../../generator/import/wayland.js";
import { dbusCorpus, waylandCorpus } from "./corpus.js";

/** The corpus, imported and checked. */
export interface ImportedCorpus {
  readonly waylandXml: readonly { path: string; text: string }[];
  readonly dbusXml: readonly { path: string; text: string }[];
  readonly wayland: readonly ImportedNidl[];
  readonly dbus: readonly ImportedNidl[];
  readonly importDiagnostics: readonly Diagnostic[];
  readonly compiled: CompileResult;
  /** Reading and importing every XML file. */
  readonly importMs: number;
  /** Parsing, resolving and checking every imported file. */
  readonly checkMs: number;
  /** CPU time of reading + importing + checking (robust against other processes on a shared machine). */
  readonly cpuMs: number;
}

/** Reads, imports and compiles the corpus. Throws (fails the test) when the corpus is missing. */
export function importCorpus(): ImportedCorpus {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const waylandXml = waylandCorpus().map((path) => ({ path, text: readFileSync(path, "utf8") }));
  const dbusXml = dbusCorpus().map((path) => ({ path, text: readFileSync(path, "utf8") }));
  const w = importWayland(waylandXml);
  const d = importDbus(dbusXml);
  const t1 = performance.now();
  const compiled = compile([...w.files, ...d.files].map((f) => ({ path: f.path, text: f.text })));
  const t2 = performance.now();
  const cpu = process.cpuUsage(c0);
  return {
    waylandXml,
    dbusXml,
    wayland: w.files,
    dbus: d.files,
    importDiagnostics: [...w.diagnostics, ...d.diagnostics],
    compiled,
    importMs: t1 - t0,
    checkMs: t2 - t1,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
