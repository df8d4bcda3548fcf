/**
 * `npm run demo:dbus`: the demo Calculator (examples/demo, its generated
 * code unchanged) on D-Bus.
 *
 * 1. Starts a private dbus-daemon in a temp dir with the runtime's
 *    startPrivateBus (runtime/dbus/private-bus.ts; stopped by the PID it printed).
 * 2. Serves the generated skeleton on it with exportService, as
 *    `org.novade.demo.Calculator` at `/org/novade/demo/Calculator`.
 * 3. Calls it with `gdbus call` (GLib's client, not ours), with `nova dbus`,
 *    and with the generated CalculatorClient over dbusProxy (a second
 *    connection): methods, the declared error, the signal, the property.
 * 4. Prints every result, stops everything and exits 0 when each step gave
 *    what it should (1 otherwise).
 *
 * `npm run demo:dbus -- --serve` only serves, on $DBUS_SESSION_BUS_ADDRESS,
 * until SIGTERM or SIGINT.
 */
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { exportService, type DbusServerPort } from "../../runtime/dbus/export.js";
import { startPrivateBus } from "../../runtime/dbus/private-bus.js";
import { dbusProxy } from "../../runtime/dbus/proxy.js";
import { IPCError } from "../../runtime/errors.js";
import { CalculatorClient, CalculatorDbus, CalculatorEmitter, DivisionByZero, registerCalculator, type Entry } from "../demo/generated/org.novade.demo.js";
import { createCalculator } from "../demo/calculator-service.js";

const NAME = "org.novade.demo.Calculator";
const PATH = "/org/novade/demo/Calculator";
const IFACE = "org.novade.demo.Calculator";
const here = dirname(fileURLToPath(import.meta.url));
/** `nova` as built next to this file (dist/examples/dbus-demo → dist/bin). */
const NOVA = resolve(here, "..", "..", "bin", "nova.js");
const run = promisify(execFile);

function say(line: string): void {
  process.stdout.write(line + "\n");
}

/** Serves the Calculator on `conn` under its name; resolves once the name is ours. */
async function serve(conn: DbusConnection): Promise<DbusServerPort> {
  const port = await exportService(conn, { interfaces: [CalculatorDbus], name: NAME });
  if (port.nameState !== "primary") {
    await port.close();
    throw new IPCError("EndpointUnreachable", `${NAME} is owned by another connection (request answered "${port.nameState}")`);
  }
  registerCalculator(port, createCalculator(new CalculatorEmitter(port)));
  return port;
}

/** The Debian package of each tool the demo runs besides node (the wording of test/helpers/system-deps.ts). */
const PACKAGES: Readonly<Record<string, string>> = { gdbus: "libglib2.0-bin" };

/** Runs a tool and returns its trimmed output (stderr for a failure); a missing tool names its package. */
async function tool(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; text: string }> {
  try {
    const { stdout } = await run(cmd, args, { env, timeout: 20_000 });
    return { ok: true, text: stdout.trim() };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new IPCError("TransportNotSupported", `missing ${cmd}: install the Debian package ${PACKAGES[cmd] ?? cmd} (apt install ${PACKAGES[cmd] ?? cmd})`);
    return { ok: false, text: (e.stderr ?? e.message).trim() };
  }
}

/** Prints one step and checks its outcome; returns whether it matched. */
function step(label: string, text: string, expected: RegExp): boolean {
  const ok = expected.test(text);
  say(`   ${label.padEnd(44)} ${text}${ok ? "" : `   <-- expected ${expected}`}`);
  return ok;
}

async function demo(): Promise<boolean> {
  say("1. a private dbus-daemon (stopped by its PID at the end)");
  const bus = await startPrivateBus({ prefix: "nova-demo-dbus-" });
  say(`   ${bus.address} (pid ${bus.pid})`);
  const server = await DbusConnection.connect({ address: bus.address, timeoutMs: 15_000 });
  const clientConn = await DbusConnection.connect({ address: bus.address, timeoutMs: 15_000 });
  let port: DbusServerPort | undefined;
  const results: boolean[] = [];
  try {
    say(`2. the generated Calculator skeleton served as ${NAME} at ${PATH}`);
    port = await serve(server);

    say("3. gdbus call (GLib's own client)");
    const gdbus = (method: string, ...args: string[]) =>
      tool("gdbus", ["call", "--address", bus.address, "--dest", NAME, "--object-path", PATH, "--method", `${IFACE}.${method}`, ...args], bus.env);
    results.push(step("gdbus call add 2 3", (await gdbus("add", "2", "3")).text, /^\(5\.0,\)$/));
    const failed = await gdbus("divide", "7", "0");
    results.push(step("gdbus call divide 7 0  [declared error]", failed.text.split("\n")[0]!, /GDBus\.Error:org\.novade\.demo\.Error\.DivisionByZero/));
    results.push(step("gdbus call history", (await gdbus("history")).text, /^\(\[\('add', 5\.0\)\],\)$/));

    say("4. nova dbus (this repository's busctl)");
    const nova = (...args: string[]) => tool(process.execPath, [NOVA, "dbus", "--address", bus.address, ...args], bus.env);
    results.push(step("nova dbus call add dd 40 2", (await nova("call", NAME, PATH, IFACE, "add", "dd", "40", "2")).text, /^\(42\.0,\)$/));
    results.push(step("nova dbus get count", (await nova("get", NAME, PATH, IFACE, "count")).text, /^uint32 2$/));

    say("5. the generated CalculatorClient over dbusProxy (a second connection)");
    const proxy = dbusProxy(clientConn, { destination: NAME, interfaces: [CalculatorDbus], timeoutMs: 15_000 });
    const client = new CalculatorClient(proxy);
    const computed: Entry[] = [];
    const off = client.onComputed((entry) => computed.push(entry));
    await proxy.subscribed();
    results.push(step("add(20, 22)", String(await client.add(20, 22)), /^42$/));
    results.push(step("divide(1, 4)", String(await client.divide(1, 4)), /^0\.25$/));
    const error = await client.divide(7, 0).then(
      () => "no error",
      (e: unknown) => (e instanceof DivisionByZero ? `threw DivisionByZero ${JSON.stringify(e.data)}` : String(e)),
    );
    results.push(step("divide(7, 0)  [declared error]", error, /^threw DivisionByZero \{"dividend":7\}$/));
    results.push(step("count  [property]", String(await client.getCountProperty()), /^4$/));
    for (let i = 0; i < 100 && computed.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    results.push(step("computed  [signal, received]", computed.map((e) => `${e.op}=${e.result}`).join(", "), /^add=42, divide=0\.25$/));
    off();
    await proxy.close();
  } finally {
    await port?.close().catch(() => undefined);
    await clientConn.close();
    await server.close();
    await bus.stop();
    say(`6. dbus-daemon ${bus.pid} stopped`);
  }
  return results.every(Boolean);
}

/** `--serve`: the Calculator on the session bus until SIGTERM/SIGINT. */
async function serveSession(): Promise<void> {
  const address = process.env.DBUS_SESSION_BUS_ADDRESS;
  if (address === undefined || address === "") {
    throw new IPCError("InvalidArgument", "--serve needs a session bus: DBUS_SESSION_BUS_ADDRESS is not set (run it inside a desktop session, or under dbus-run-session)");
  }
  const conn = await DbusConnection.connect({ address, timeoutMs: 15_000 });
  const port = await serve(conn).catch(async (error: unknown) => {
    await conn.close();
    throw error;
  });
  say(`serving ${NAME} at ${PATH} on ${address}; SIGTERM or Ctrl-C stops it`);
  const signal = await new Promise<NodeJS.Signals>((res) => {
    process.once("SIGTERM", () => res("SIGTERM"));
    process.once("SIGINT", () => res("SIGINT"));
  });
  await port.close();
  await conn.close();
  say(`stopped by ${signal}`);
}

try {
  if (process.argv.includes("--serve")) {
    await serveSession();
  } else {
    const ok = await demo();
    say(ok ? "demo finished: every step behaved as expected" : "demo FAILED: a step above did not give what it should");
    process.exitCode = ok ? 0 : 1;
  }
} catch (error) {
  process.stderr.write(error instanceof IPCError ? `error[${error.code}]: ${error.message}\n` : `error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
