/**
 * Builds the C peers of test/wayland/c with the real tools: nova-gen writes the shell protocol's
 * XML from idl/shell.nidl, `wayland-scanner -s` turns it into a client header and the private
 * code, and gcc links them with libwayland-client. Built once per output directory.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "../../../generator/index.js";
import { hasErrors } from "../../../generator/diagnostics.js";
import { loadAndCompile } from "../../../generator/cli/compile-inputs.js";
import { requirePath, runTool } from "../../helpers/system-deps.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..", "..");

async function run(cmd: string, args: readonly string[], cwd: string): Promise<void> {
  const r = await runTool(cmd, args, { cwd, timeout: 120_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.code}):\n${r.output}`);
}

/** Writes the shell protocol's Wayland XML (nova-gen's output for idl/shell.nidl) into `dir`; returns its path. */
export async function shellProtocolXml(dir: string): Promise<string> {
  const loaded = loadAndCompile([join(ROOT, "idl", "shell.nidl")], ROOT);
  if (!loaded.ok || hasErrors(loaded.result.diagnostics)) throw new Error("idl/shell.nidl does not compile");
  const out = await generate(loaded.result.model, ["wayland"], { runtimeImport: "novade-ipc/runtime" });
  const file = out.files.find((f) => f.path.endsWith("nova_shell_v1.xml"));
  if (file === undefined) throw new Error(`nova-gen wrote no nova_shell_v1.xml (got ${out.files.map((f) => f.path).join(", ")})`);
  const path = join(dir, "nova_shell_v1.xml");
  writeFileSync(path, file.content);
  return path;
}

/** The built C peers. */
export interface CPeers {
  /** nova-shell-client: see nova-shell-client.c. */
  readonly shellClient: string;
  /** roundtrip-bench: see roundtrip-bench.c. */
  readonly roundtripBench: string;
}

/** Builds both C peers into `dir` (created). A missing tool or header fails naming its Debian package. */
export async function buildCPeers(dir: string): Promise<CPeers> {
  mkdirSync(dir, { recursive: true });
  const shellClient = join(dir, "nova-shell-client");
  const roundtripBench = join(dir, "roundtrip-bench");
  if (existsSync(shellClient) && existsSync(roundtripBench)) return { shellClient, roundtripBench };
  requirePath("/usr/include/wayland-client.h", "libwayland-dev");
  const xml = await shellProtocolXml(dir);
  await run("wayland-scanner", ["-s", "client-header", xml, join(dir, "nova-shell-client-protocol.h")], dir);
  await run("wayland-scanner", ["-s", "private-code", xml, join(dir, "nova-shell-protocol.c")], dir);
  const cflags = ["-O2", "-Wall", "-Wextra", "-Werror", "-I", dir];
  await run("gcc", [...cflags, join(HERE, "nova-shell-client.c"), join(dir, "nova-shell-protocol.c"), "-o", shellClient, "-lwayland-client"], dir);
  await run("gcc", [...cflags, join(HERE, "roundtrip-bench.c"), "-o", roundtripBench, "-lwayland-client"], dir);
  return { shellClient, roundtripBench };
}

/** What roundtrip-bench printed. */
export interface RoundtripStats {
  readonly n: number;
  readonly p50Us: number;
  readonly p95Us: number;
}

/** Runs the built roundtrip-bench against the display socket at `socketPath` (`n` timed round trips after a warm-up). */
export async function runRoundtripBench(binary: string, socketPath: string, n = 2000): Promise<RoundtripStats> {
  const env: NodeJS.ProcessEnv = { ...process.env, WAYLAND_DISPLAY: socketPath };
  delete env.XDG_RUNTIME_DIR;
  delete env.WAYLAND_SOCKET;
  const r = await runTool(binary, [String(n)], { env, timeout: 120_000 });
  const value = (key: string): number => Number(new RegExp(`^${key} ([\\d.]+)$`, "m").exec(r.output)?.[1] ?? NaN);
  const stats = { n: value("n"), p50Us: value("p50_us"), p95Us: value("p95_us") };
  if (r.code !== 0 || Object.values(stats).some(Number.isNaN)) throw new Error(`roundtrip-bench failed (${r.code}):\n${r.output}`);
  return stats;
}
