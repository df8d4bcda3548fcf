/**
 * `npm run demo`: the whole path from IDL to processes talking.
 *
 * 1. Runs `nova-gen generate` on examples/demo/demo.nidl into
 *    examples/demo/generated/ (the committed copy). If that changed a file,
 *    the compiled demo in dist/ is stale, so it recompiles with tsc.
 * 2. Starts the server process on a Unix socket under the runtime directory
 *    ($XDG_RUNTIME_DIR/nova/, or /tmp/nova-<uid>/).
 * 3. Runs the client process, which makes calls (one raising a declared
 *    error, one timing out), then `nova call` against the same server.
 * 4. Stops the server by PID and exits 0 when every step behaved as expected.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: this file runs from <root>/dist/examples/demo. */
const root = resolve(here, "..", "..", "..");
const demoSource = join(root, "examples", "demo");
const generatedDir = join(demoSource, "generated");

function say(line: string): void {
  process.stdout.write(line + "\n");
}

/** Hashes of every generated file, to see whether regeneration changed anything. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) out.set(name, createHash("sha256").update(readFileSync(join(dir, name))).digest("hex"));
  return out;
}

function sameSnapshot(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

function generate(): void {
  say("1. nova-gen generate examples/demo/demo.nidl --out examples/demo/generated --target ts");
  const before = snapshot(generatedDir);
  const result = spawnSync(
    process.execPath,
    [join(root, "dist", "bin", "nova-gen.js"), "generate", "examples/demo/demo.nidl", "--out", "examples/demo/generated", "--target", "ts", "--runtime-import", "../../../runtime/rpc/index.js"],
    { cwd: root, encoding: "utf8" },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`nova-gen generate failed with exit code ${result.status}`);
  }
  say(`   ${result.stdout.trim()}`);
  if (sameSnapshot(before, snapshot(generatedDir))) {
    say("   generated code unchanged: the compiled demo is current");
    return;
  }
  say("   generated code changed: recompiling (tsc -p tsconfig.build.json)");
  const tsc = join(root, "node_modules", ".bin", "tsc");
  try {
    execFileSync(tsc, ["-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  } catch {
    // tsc reports type errors elsewhere in the tree but still emits; the demo decides below.
  }
}

/** Starts the server and resolves with its endpoint once it prints `ready`. */
function startServer(endpoint: string): Promise<{ pid: number; endpoint: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(here, "server.js"), endpoint], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  return new Promise((res, rej) => {
    let text = "";
    const timer = setTimeout(() => rej(new Error("the server did not start within 10 s")), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const m = text.match(/ready (\S+)\n/);
      if (m) {
        clearTimeout(timer);
        res({
          pid: child.pid!,
          endpoint: m[1],
          stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            await exited;
          },
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`the server exited with ${code} before it was ready`));
    });
  });
}

function runClient(endpoint: string): number {
  const result = spawnSync(process.execPath, [join(here, "client.js"), endpoint], { stdio: "inherit" });
  return result.status ?? 1;
}

function novaCall(endpoint: string, target: string, args: string): number {
  say(`   $ nova call ${endpoint} ${target} '${args}'`);
  const result = spawnSync(process.execPath, [join(root, "dist", "bin", "nova.js"), "call", endpoint, target, args], { encoding: "utf8" });
  for (const line of (result.stdout + result.stderr).trim().split("\n")) say(`   ${line}`);
  say(`   (exit code ${result.status})`);
  return result.status ?? 1;
}

async function main(): Promise<number> {
  generate();
  const name = `org.novade.demo-${process.pid}`;
  say(`2. starting the server process on endpoint "${name}"`);
  const server = await startServer(name);
  let failures = 0;
  try {
    say(`   server pid ${server.pid}, listening on ${server.endpoint}`);
    say("3. client process: generated CalculatorClient over the Unix socket");
    if (runClient(server.endpoint) !== 0) failures++;
    say("4. nova call against the same server");
    if (novaCall(server.endpoint, "org.novade.demo.Calculator.add", "[20, 22]") !== 0) failures++;
    if (novaCall(server.endpoint, "org.novade.demo.Calculator.divide", "[1, 0]") !== 1) failures++;
  } finally {
    await server.stop();
    say(`5. server pid ${server.pid} stopped`);
  }
  say(failures === 0 ? "demo finished: every step behaved as expected" : `demo finished with ${failures} unexpected outcome(s)`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
