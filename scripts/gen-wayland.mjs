#!/usr/bin/env node
/**
 * Regenerates the checked-in Wayland bindings under runtime/wayland/protocols/:
 *   wayland.ts        from /usr/share/wayland/wayland.xml
 *   xdg_shell.ts      from /usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml
 *   nova_shell_v1.ts  from idl/shell.nidl
 * The XML goes through the importer (`nova-gen import wayland` → .nidl) and then the
 * `wayland-ts` emitter (`nova-gen generate --target wayland-ts`), exactly as a user would run
 * them; nothing is written by hand. Needs `npm run build` first (`npm run gen:wayland` does both).
 *
 *   node scripts/gen-wayland.mjs [--out DIR]     (default runtime/wayland/protocols)
 *
 * test/wayland/generated-current.test.ts runs this with --out into a temp dir and compares.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NOVA_GEN = join(ROOT, "dist", "bin", "nova-gen.js");
/** The XML protocols whose bindings are checked in, and the .nidl file the importer names after each. */
const XML = [
  { xml: "/usr/share/wayland/wayland.xml", nidl: "wayland.nidl", module: "wayland.ts" },
  { xml: "/usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml", nidl: "xdg-shell.nidl", module: "xdg_shell.ts" },
];
/** NovaDE's own protocols, compiled from idl/ (their @external core interfaces resolve to ./wayland.js). */
const NIDL = [{ nidl: "idl/shell.nidl", module: "nova_shell_v1.ts" }];
/** From runtime/wayland/protocols/<module>.ts to the runtime module the bindings extend. */
const RUNTIME_IMPORT = "../bindings-support.js";

const outIndex = process.argv.indexOf("--out");
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(ROOT, "runtime", "wayland", "protocols"));

function novaGen(args, cwd) {
  execFileSync(process.execPath, [NOVA_GEN, ...args], { cwd, stdio: ["ignore", "ignore", "inherit"] });
}

const tmp = mkdtempSync(join(tmpdir(), "nova-gen-wayland-"));
try {
  const idl = join(tmp, "idl");
  novaGen(["import", "wayland", ...XML.map((p) => p.xml), "--out", idl], ROOT);
  mkdirSync(out, { recursive: true });
  for (const [i, p] of XML.entries()) {
    // One run per protocol so the preamble names its XML; an imported protocol's own
    // dependencies (xdg-shell imports wayland.nidl) are compiled but their modules not taken.
    const gen = join(tmp, `gen-${i}`);
    novaGen(["generate", p.nidl, "--out", gen, "--target", "wayland-ts", "--wayland-runtime-import", RUNTIME_IMPORT, "--source-name", `${p.xml} (nova-gen import wayland)`], idl);
    copyFileSync(join(gen, "wayland", p.module), join(out, p.module));
  }
  for (const [i, p] of NIDL.entries()) {
    const gen = join(tmp, `nidl-${i}`);
    novaGen(["generate", p.nidl, "--out", gen, "--target", "wayland-ts", "--wayland-runtime-import", RUNTIME_IMPORT], ROOT);
    const produced = readdirSync(join(gen, "wayland"));
    if (produced.join() !== p.module) throw new Error(`${p.nidl} produced ${produced.join(", ")}, expected ${p.module}`);
    copyFileSync(join(gen, "wayland", p.module), join(out, p.module));
  }
  console.log(`generated ${XML.length + NIDL.length} Wayland binding modules in ${out}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
