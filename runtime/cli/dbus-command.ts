/**
 * `nova dbus call|introspect|get|set|monitor|tree|list`: busctl for D-Bus
 * with our own connection (runtime/dbus). The bus is `--session` (default),
 * `--system` or `--address ADDR`; arguments are written as busctl writes
 * them (`SIGNATURE ARGS...`) or as one GVariant tuple (`--gvariant`, typed
 * from the signature or from the object's introspection, as `gdbus call`
 * does); results print in GVariant text (as `gdbus call` prints them) or,
 * with `--json`, as `{"type": signature, "data": [...]}` (busctl's shape).
 * The verbs mirror `nova call` and `nova listen` on our own transports: the
 * README's "One tool for both worlds" table lists the correspondence.
 */
import { closeSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { IPCError } from "../errors.js";
import { parseBusctlArgs } from "../dbus/busctl-args.js";
import { parseGVariant } from "../dbus/gvariant-parse.js";
import { DbusMonitor } from "../dbus/monitor.js";
import { resolveAddress } from "../dbus/connection-open.js";
import { formatBody, formatValue } from "../dbus/wire/format.js";
import { parseSingleType } from "../dbus/wire/signature.js";
import { Variant } from "../dbus/wire/variant.js";
import { exitOnBrokenPipe, reportError, untilSignal } from "./event-lines.js";
import { introspectRows, listNames, namesText, objectPaths, rowsTable, treeText } from "./dbus-inspect.js";
import { messageJson, messageText } from "./dbus-monitor-lines.js";
import { busTarget, jsonBody, jsonValue, methodSignature, propertySignature, readArguments, wireBody, withBus, type DbusCliOptions } from "./dbus-values.js";

const PROPERTIES = "org.freedesktop.DBus.Properties";

/** `nova dbus call`: the reply as GVariant text (`(5.5,)`) or JSON. */
export async function dbusCall(o: DbusCliOptions & { gvariant?: string }, dest: string, path: string, iface: string, method: string, signature: string | undefined, words: readonly string[]): Promise<string> {
  return withBus(o, async (conn) => {
    const args = await readArguments(signature, words, o.gvariant, () => methodSignature(conn, dest, path, iface, method, o.timeout));
    const reply = await conn.call({ destination: dest, path, interface: iface, member: method, ...args }, { timeoutMs: o.timeout });
    const body = wireBody(reply); // descriptors received are shown as their indexes, then closed
    for (const fd of reply.fds) closeSync(fd);
    return o.json === true ? jsonBody(reply.signature, body) + "\n" : formatBody(reply.signature, body) + "\n";
  });
}

/** `nova dbus get`: one line per property, its value in GVariant text (`uint32 3`) or `{"type","data"}`. */
export async function dbusGet(o: DbusCliOptions, dest: string, path: string, iface: string, props: readonly string[]): Promise<string> {
  return withBus(o, async (conn) => {
    let out = "";
    for (const prop of props) {
      const reply = await conn.call({ destination: dest, path, interface: PROPERTIES, member: "Get", signature: "ss", body: [iface, prop] }, { timeoutMs: o.timeout });
      const v = wireBody(reply)[0] as Variant;
      for (const fd of reply.fds) closeSync(fd);
      out += (o.json === true ? JSON.stringify(jsonValue(v)) : formatValue(v.signature, v.value)) + "\n";
    }
    return out;
  });
}

/** `nova dbus set`: busctl's `SIGNATURE VALUE...`, or `--gvariant VALUE` typed from the signature or the introspected property. */
export async function dbusSet(o: DbusCliOptions & { gvariant?: string }, dest: string, path: string, iface: string, prop: string, signature: string | undefined, words: readonly string[]): Promise<void> {
  await withBus(o, async (conn) => {
    let value: Variant;
    if (o.gvariant !== undefined) {
      if (words.length > 0) throw new IPCError("InvalidArgument", `--gvariant gives the value: remove ${words.join(" ")}`);
      const sig = signature ?? (await propertySignature(conn, dest, path, iface, prop, o.timeout));
      value = new Variant(sig, parseGVariant(sig, o.gvariant));
    } else {
      if (signature === undefined) throw new IPCError("InvalidArgument", "set needs SIGNATURE VALUE... (busctl style) or --gvariant VALUE");
      parseSingleType(signature);
      value = new Variant(signature, parseBusctlArgs(signature, words)[0]);
    }
    await conn.call({ destination: dest, path, interface: PROPERTIES, member: "Set", signature: "ssv", body: [iface, prop, value] }, { timeoutMs: o.timeout });
  });
}

/** The match rules of `nova dbus monitor NAME... --match RULE...`: each NAME as sender and as destination, as busctl monitor does. */
export function monitorRules(names: readonly string[], matches: readonly string[]): string[] {
  return [...names.flatMap((n) => [`sender='${n}'`, `destination='${n}'`]), ...matches];
}

function timeoutOption(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n <= 0 || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be a positive integer (milliseconds)");
  return n;
}

/** Runs a verb: prints what it returns; an IPCError is `error[Code]: message` and exit code 1. */
async function run(work: () => Promise<string | void>): Promise<void> {
  try {
    const out = await work();
    if (out !== undefined) process.stdout.write(out);
  } catch (err) {
    reportError(err);
  }
}

const EXAMPLES = `
Examples:
  $ nova dbus list
  $ nova dbus tree org.novade.demo.Calculator
  $ nova dbus introspect org.novade.demo.Calculator /org/novade/demo/Calculator
  $ nova dbus call org.novade.demo.Calculator /org/novade/demo/Calculator org.novade.demo.Calculator add dd 2 3.5
  $ nova dbus call org.novade.demo.Calculator /org/novade/demo/Calculator org.novade.demo.Calculator add --gvariant '(2, 3.5)'
  $ nova dbus call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s org.novade.demo.Calculator
  $ nova dbus get org.novade.demo.Calculator /org/novade/demo/Calculator org.novade.demo.Calculator count
  $ nova dbus set org.example.Svc /org/example/Svc org.example.Svc Volume u 7      # or --gvariant 'uint32 7'
  $ nova dbus monitor org.novade.demo.Calculator --match "type='signal'"
  $ nova dbus --address unix:path=/tmp/bus.sock --json call ...

Bus: --session (default; $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus), --system, or
--address ADDR (unix:path=…, tcp:host=…,port=…; several separated by ;; unix:abstract=… fails
for now, see runtime/dbus/README.md "Known gaps").
Arguments as busctl takes them (busctl(1) "PARAMETER FORMATTING"): the signature, then one word
per basic value; an array is its length then its elements, a variant its signature then its value,
e.g. "a{sv} 2 One s Eins Two u 2"; booleans true/yes/on/1 or false/no/off/0; put -- before
negative numbers. Or --gvariant with GLib's text format, one tuple for all arguments
("(2, 'x', <uint32 5>)"), typed by SIGNATURE when given, else by the object's introspection.
Output: GVariant text with types, as gdbus prints it; --json: {"type": SIG, "data": [...]}
(variants {"type","data"}, 64-bit integers {"$n": "…"}). monitor prints each message's header
and its typed body until SIGINT/SIGTERM; its first stderr line "monitoring ADDRESS" says it is
ready. Exit codes: 0 ok, 1 error[Code]: message on stderr (a D-Bus error reply is RemoteError
with its error name), 2 bad usage.`;

/** Registers `dbus` and its verbs on the `nova` program. */
export function register(program: Command): void {
  const dbus = program
    .command("dbus")
    .description("inspect and call D-Bus services (like busctl): call, introspect, get, set, monitor, tree, list")
    .addOption(new Option("--session", "the session bus (default)").conflicts(["system", "address"]))
    .addOption(new Option("--system", "the system bus").conflicts("address"))
    .option("--address <address>", "a D-Bus address, e.g. unix:path=/tmp/bus.sock")
    .option("--timeout <ms>", "timeout for connecting and for each call (default 25000)", timeoutOption)
    .option("--json", "print JSON instead of GVariant text")
    .configureHelp({ showGlobalOptions: true }) // each verb's --help lists the bus options too
    .addHelpText("after", EXAMPLES);
  const opts = (cmd: Command): DbusCliOptions & { gvariant?: string; xml?: boolean; match?: string[]; list?: boolean; unique?: boolean; acquired?: boolean } => cmd.optsWithGlobals();

  dbus
    .command("call")
    .description("call a method and print the reply")
    .argument("<dest>", "bus name").argument("<path>", "object path").argument("<interface>").argument("<method>")
    .argument("[signature]", "signature of the arguments (busctl style)")
    .argument("[args...]", "the arguments, busctl style")
    .option("--gvariant <tuple>", "all arguments as one GVariant tuple, e.g. \"(2, 'x')\"")
    .action((dest: string, path: string, iface: string, method: string, signature: string | undefined, words: string[], _o: unknown, cmd: Command) =>
      run(() => dbusCall(opts(cmd), dest, path, iface, method, signature, words)),
    );

  dbus
    .command("introspect")
    .description("list an object's interfaces, methods, signals and properties (with their values)")
    .argument("<dest>").argument("<path>").argument("[interface]", "only this interface")
    .option("--xml", "print the introspection XML as the object returns it")
    .action((dest: string, path: string, only: string | undefined, _o: unknown, cmd: Command) =>
      run(async () => {
        const o = opts(cmd);
        const { xml, rows } = await withBus(o, (conn) => introspectRows(conn, dest, path, only, o.timeout));
        if (o.xml === true) return xml.endsWith("\n") ? xml : `${xml}\n`;
        return o.json === true ? JSON.stringify(rows) + "\n" : rowsTable(rows);
      }),
    );

  dbus
    .command("get")
    .description("print property values (Properties.Get)")
    .argument("<dest>").argument("<path>").argument("<interface>").argument("<property...>")
    .action((dest: string, path: string, iface: string, props: string[], _o: unknown, cmd: Command) => run(() => dbusGet(opts(cmd), dest, path, iface, props)));

  dbus
    .command("set")
    .description("set a property (Properties.Set)")
    .argument("<dest>").argument("<path>").argument("<interface>").argument("<property>")
    .argument("[signature]", "the property's type (busctl style)")
    .argument("[value...]", "the value, busctl style")
    .option("--gvariant <value>", "the value in GVariant text, e.g. 'uint32 7'")
    .action((dest: string, path: string, iface: string, prop: string, signature: string | undefined, words: string[], _o: unknown, cmd: Command) =>
      run(() => dbusSet(opts(cmd), dest, path, iface, prop, signature, words)),
    );

  dbus
    .command("tree")
    .description("show the object tree of services (all named services when none is given)")
    .argument("[dest...]")
    .option("--list", "one path per line instead of a tree")
    .action((dests: string[], _o: unknown, cmd: Command) =>
      run(async () => {
        const o = opts(cmd);
        return withBus(o, async (conn) => {
          const names = dests.length > 0 ? dests : (await listNames(conn, o.timeout)).filter((r) => r.owner !== undefined && !r.name.startsWith(":")).map((r) => r.name);
          let out = "";
          for (const name of names) {
            const paths = await objectPaths(conn, name, o.timeout);
            const text = o.list === true ? paths.join("\n") + "\n" : treeText(paths);
            out += o.json === true ? JSON.stringify({ service: name, paths }) + "\n" : names.length > 1 ? `Service ${name}:\n${text}\n` : text;
          }
          return out;
        });
      }),
    );

  dbus
    .command("list")
    .description("list bus names with their owners, PIDs and processes")
    .option("--unique", "only unique names (:1.N)")
    .option("--acquired", "only well-known names")
    .action((_o: unknown, cmd: Command) =>
      run(async () => {
        const o = opts(cmd);
        const rows = (await withBus(o, (conn) => listNames(conn, o.timeout))).filter((r) => (o.unique !== true || r.name.startsWith(":")) && (o.acquired !== true || !r.name.startsWith(":")));
        return namesText(rows, o.json === true);
      }),
    );

  dbus
    .command("monitor")
    .description("print every message on the bus (BecomeMonitor), or those to and from NAMEs or matching --match, until SIGINT")
    .argument("[name...]", "only messages from or to these names")
    .option("--match <rule>", "a match rule, e.g. \"type='signal',interface='org.example.X'\" (repeatable)", (v: string, acc: string[] = []) => [...acc, v])
    .action((names: string[], _o: unknown, cmd: Command) =>
      run(async () => {
        exitOnBrokenPipe();
        const o = opts(cmd);
        const stop = untilSignal();
        try {
          const target = busTarget(o);
          const print = o.json === true ? messageJson : messageText;
          const monitor = await DbusMonitor.start({ ...target, rules: monitorRules(names, o.match ?? []), timeoutMs: o.timeout }, (msg) => void process.stdout.write(print(msg)));
          process.stderr.write(`monitoring ${resolveAddress(target)}\n`);
          const ended = await Promise.race([stop.signal.then(() => undefined), monitor.closed.then((e) => e ?? new IPCError("ChannelClosed", "the bus closed the monitor connection"))]);
          monitor.close();
          if (ended !== undefined) throw ended;
        } finally {
          stop.dispose();
        }
      }),
    );
}
