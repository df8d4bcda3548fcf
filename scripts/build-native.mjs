#!/usr/bin/env node
/**
 * The package's `install` script (and `npm run build:native`): builds native/ into
 * native/build/Release/nova_native.node.
 *
 * Why not plain `node-gyp rebuild`: npm runs that with whichever node-gyp the consumer's tree puts
 * first on PATH, and a dependency such as usocket pulls node-gyp 7, which crashes on Node 20. So this
 * resolves the node-gyp WE depend on from this package's own folder, the way Node resolves our imports.
 * And it compiles against the headers of the Node that runs it (`<prefix>/include/node`, shipped by
 * Debian's nodejs and the official tarballs) so node-gyp never tries to download headers; our .npmrc's
 * `nodedir=/usr` does not apply once the package sits in someone else's node_modules.
 *
 *   node scripts/build-native.mjs [--dry-run]   (--dry-run prints the command instead of running it)
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MIN_NODE_GYP_MAJOR = 10; // the first with Node 20 support
const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

function fail(message) {
  process.stderr.write(`novade-ipc: ${message}\n`);
  process.exit(1);
}

/** node-gyp's bin script as resolved from this package, and its version. */
function findNodeGyp() {
  const require = createRequire(join(packageDir, "package.json"));
  let manifest;
  try {
    manifest = require.resolve("node-gyp/package.json", { paths: [packageDir] });
  } catch {
    fail(`cannot build the native addon: node-gyp is not installed beside ${packageDir} (it is a dependency; reinstall)`);
  }
  const pkg = JSON.parse(readFileSync(manifest, "utf8"));
  const major = Number(String(pkg.version).split(".")[0]);
  if (!(major >= MIN_NODE_GYP_MAJOR)) fail(`cannot build the native addon: node-gyp ${pkg.version} at ${dirname(manifest)} is too old (need ${MIN_NODE_GYP_MAJOR}+)`);
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin["node-gyp"];
  return { script: join(dirname(manifest), bin), version: pkg.version };
}

/** A Node installation folder holding the running Node's headers, or undefined (then node-gyp would download them). */
function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))];
  return candidates.find((dir) => dir && existsSync(join(dir, "include", "node", "node.h")));
}

const gyp = findNodeGyp();
const nodeDir = findNodeDir();
// --jobs=max: make runs one compiler per core (node-gyp's default is one in all).
const args = [gyp.script, "rebuild", "--directory", "native", "--jobs=max", ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])];
if (process.argv.includes("--dry-run")) {
  process.stdout.write(`${JSON.stringify({ node: process.execPath, args, nodeGypVersion: gyp.version })}\n`);
  process.exit(0);
}
if (!nodeDir) process.stderr.write(`novade-ipc: no Node headers under ${dirname(dirname(process.execPath))}/include/node; node-gyp will download them\n`);

const r = spawnSync(process.execPath, args, { cwd: packageDir, stdio: "inherit" });
if (r.status !== 0) {
  const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  fail(`building the native addon failed (node-gyp ${gyp.version}, nodedir ${nodeDir ?? "downloaded"}: ${why}); it needs python3, make and g++ (npm run setup installs them)`);
}
