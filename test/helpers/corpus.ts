/**
 * The real-world corpus of issue 4: wayland.xml (libwayland-dev), Debian's wayland-protocols, and the
 * D-Bus XML of xdg-desktop-portal-dev. Each helper asks only for the package it reads, so a Wayland
 * test does not depend on the D-Bus corpus. A missing package is a FAILURE whose one-line message
 * names it (`npm run setup` installs them), never a skip.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { missingDependency, requirePath } from "./system-deps.js";

/** Where wayland.xml lives on Debian. */
export const WAYLAND_CORE_XML = "/usr/share/wayland/wayland.xml";
/** Root of Debian's wayland-protocols. */
export const WAYLAND_PROTOCOLS_DIR = "/usr/share/wayland-protocols";
/** The Debian package whose D-Bus XML files are the D-Bus corpus. */
export const DBUS_CORPUS_PACKAGE = "xdg-desktop-portal-dev";

/** Where the Wayland corpus is read from (tests of this helper point it at missing places). */
export interface WaylandCorpusPaths {
  readonly coreXml?: string;
  readonly protocolsDir?: string;
}

/** Options of {@link corpusFile}. */
export interface CorpusFileOptions extends WaylandCorpusPaths {
  /** The package listed for a D-Bus file; default {@link DBUS_CORPUS_PACKAGE}. */
  readonly dbusPackage?: string;
}

function walkXml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkXml(p));
    else if (name.endsWith(".xml")) out.push(p);
  }
  return out;
}

/** Every Wayland XML of the corpus, wayland.xml first. Throws (one line naming the package) when it is not installed. */
export function waylandCorpus(paths: WaylandCorpusPaths = {}): string[] {
  const core = requirePath(paths.coreXml ?? WAYLAND_CORE_XML, "libwayland-dev");
  const dir = requirePath(paths.protocolsDir ?? WAYLAND_PROTOCOLS_DIR, "wayland-protocols");
  const files = [core, ...walkXml(dir)];
  if (files.length < 10) throw missingDependency(`Wayland protocols (only ${files.length} XML files in ${dir})`, "wayland-protocols");
  return files;
}

/** Every D-Bus XML file of `pkg` (default xdg-desktop-portal-dev). Throws (one line naming it) when it is not installed. */
export function dbusCorpus(pkg: string = DBUS_CORPUS_PACKAGE): string[] {
  let listing: string;
  try {
    listing = execFileSync("dpkg", ["-L", pkg], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    throw missingDependency(`the D-Bus corpus (files of ${pkg})`, pkg);
  }
  const files = listing.split("\n").filter((l) => l.endsWith(".xml") && statSync(l, { throwIfNoEntry: false })?.isFile() === true).sort();
  if (files.length < 10) throw missingDependency(`the D-Bus corpus (only ${files.length} XML files from ${pkg})`, pkg);
  return files;
}

/**
 * A D-Bus interface file is named after its interface (`org.freedesktop.portal.Print.xml`); Wayland
 * protocol files never have a dot before `.xml`. That decides which corpus, and so which package, a
 * name needs.
 */
export function isDbusCorpusName(baseName: string): boolean {
  return baseName.slice(0, -".xml".length).includes(".");
}

/** A corpus file by its base name ("xdg-shell.xml", "org.freedesktop.portal.Print.xml"); reads only the corpus it belongs to. */
export function corpusFile(baseName: string, options: CorpusFileOptions = {}): string {
  const dbus = isDbusCorpusName(baseName);
  const files = dbus ? dbusCorpus(options.dbusPackage) : waylandCorpus(options);
  const hit = files.find((f) => f.endsWith(`/${baseName}`));
  if (hit === undefined) {
    throw new Error(`corpus file ${baseName} not found among the ${files.length} files of ${dbus ? options.dbusPackage ?? DBUS_CORPUS_PACKAGE : "libwayland-dev and wayland-protocols"}`);
  }
  return hit;
}
