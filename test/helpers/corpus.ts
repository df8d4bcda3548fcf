/**
 * The real-world corpus of issue 4: wayland.xml, Debian's wayland-protocols, and the D-Bus XML of
 * xdg-desktop-portal-dev. Missing files are a FAILURE with a clear message (CI installs them), never a skip.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Where wayland.xml lives on Debian. */
export const WAYLAND_CORE_XML = "/usr/share/wayland/wayland.xml";
/** Root of Debian's wayland-protocols. */
export const WAYLAND_PROTOCOLS_DIR = "/usr/share/wayland-protocols";

const INSTALL_HINT = "install the corpus: apt-get install -y libwayland-dev wayland-protocols xdg-desktop-portal-dev";

function walkXml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkXml(p));
    else if (name.endsWith(".xml")) out.push(p);
  }
  return out;
}

/** Every Wayland XML of the corpus, wayland.xml first. Throws when the corpus is not installed. */
export function waylandCorpus(): string[] {
  if (!existsSync(WAYLAND_CORE_XML)) throw new Error(`corpus missing: ${WAYLAND_CORE_XML} not found; ${INSTALL_HINT}`);
  if (!existsSync(WAYLAND_PROTOCOLS_DIR)) throw new Error(`corpus missing: ${WAYLAND_PROTOCOLS_DIR} not found; ${INSTALL_HINT}`);
  const files = [WAYLAND_CORE_XML, ...walkXml(WAYLAND_PROTOCOLS_DIR)];
  if (files.length < 10) throw new Error(`corpus incomplete: only ${files.length} Wayland XML files; ${INSTALL_HINT}`);
  return files;
}

/** Every D-Bus XML file of the xdg-desktop-portal-dev package. Throws when it is not installed. */
export function dbusCorpus(): string[] {
  let listing: string;
  try {
    listing = execFileSync("dpkg", ["-L", "xdg-desktop-portal-dev"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    throw new Error(`corpus missing: package xdg-desktop-portal-dev is not installed; ${INSTALL_HINT}`);
  }
  const files = listing.split("\n").filter((l) => l.endsWith(".xml") && existsSync(l)).sort();
  if (files.length < 10) throw new Error(`corpus incomplete: only ${files.length} D-Bus XML files from xdg-desktop-portal-dev; ${INSTALL_HINT}`);
  return files;
}

/** A corpus file by its base name (e.g. "xdg-shell.xml"); throws when absent. */
export function corpusFile(baseName: string): string {
  const hit = [...waylandCorpus(), ...dbusCorpus()].find((f) => f.endsWith(`/${baseName}`));
  if (hit === undefined) throw new Error(`corpus file ${baseName} not found; ${INSTALL_HINT}`);
  return hit;
}
