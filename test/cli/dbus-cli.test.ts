/**
 * `nova dbus` against real peers on a private dbus-daemon (started and stopped by PID): a GDBus
 * service written in python3-gi (test/helpers/gdbus-peer.ts, which logs GLib's own decoding of
 * every call) and dbus-daemon itself. The same words given to `busctl call` and to `nova dbus
 * call` must reach the service as the same values, and so must `gdbus call`'s GVariant arguments
 * and `nova dbus call --gvariant`; outputs are checked against gdbus's and busctl's.
 */
import { execFile, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDbusDaemon, type DbusDaemon } from "../helpers/dbus-daemon.js";
import { startGdbusPeer, type GdbusPeer } from "../helpers/gdbus-peer.js";
import { compareDbusXml } from "../helpers/semantic-xml.js";
import { runTool } from "../helpers/system-deps.js";
import { ensureBuilt } from "../transport/helpers.js";

const NAME = "org.novade.Test.Cli";
const PATH = "/org/novade/Test/Cli/Obj";
const IFACE = "org.novade.Test.Cli";
const XML = `<node>
  <interface name="${IFACE}">
    <method name="Mix">
      <arg name="a" type="i" direction="in"/><arg name="b" type="as" direction="in"/><arg name="c" type="a{sv}" direction="in"/>
      <arg name="d" type="(ybt)" direction="in"/><arg name="e" type="ay" direction="in"/><arg name="r" type="s" direction="out"/>
    </method>
    <method name="Echo"><arg type="s" direction="in"/><arg type="v" direction="in"/><arg type="s" direction="out"/><arg type="v" direction="out"/></method>
    <method name="Fail"><arg type="s" direction="in"/></method>
    <method name="Fd"><arg type="h" direction="in"/><arg type="h" direction="out"/></method>
    <property name="Volume" type="u" access="readwrite"/>
    <property name="Label" type="s" access="read"/>
    <signal name="Ping"><arg name="text" type="s"/><arg name="extra" type="v"/></signal>
  </interface>
</node>`;

let bus: DbusDaemon;
let peer: GdbusPeer;

beforeAll(async () => {
  bus = await startDbusDaemon({ prefix: "nova-dbus-cli-" });
  peer = await startGdbusPeer({
    address: bus.address, name: NAME, path: PATH, xml: XML,
    script: { methods: { Mix: { return: "('ok',)" }, Fail: { error: "org.novade.Test.Error.Nope", message: "it failed on purpose" } }, properties: { Volume: "uint32 3", Label: "'hello'" } },
  });
}, 60_000);

afterAll(async () => {
  await peer?.stop();
  await bus?.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `nova dbus --address <private bus> ...args`. */
function nova(...args: string[]): Promise<Run> {
  const bin = ensureBuilt("bin/nova.js");
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, "dbus", "--address", bus.address, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const busctl = (...args: string[]) => runTool("busctl", [`--address=${bus.address}`, "--no-pager", ...args], { timeout: 30_000 });
const gdbus = (...args: string[]) => runTool("gdbus", [...args], { env: bus.env, timeout: 30_000 });

/** The arguments of the last call of `member` the peer logged, as GLib decoded them. */
async function loggedCall(member: string): Promise<string> {
  const line = await peer.waitFor(new RegExp(`^CALL \\S+ ${IFACE}\\.${member} `), 20_000);
  return line.replace(/^CALL \S+ /, "");
}

describe("nova dbus against a GDBus service", () => {
  it("call: busctl's words reach the service as the same values busctl sends", async () => {
    const words = ["Mix", "iasa{sv}(ybt)ay", "--", "-7", "2", "x", "y", "2", "k", "s", "v", "n", "i", "-1", "255", "yes", "18446744073709551615", "3", "1", "2", "3"];
    const viaBusctl = await busctl("call", NAME, PATH, IFACE, ...words);
    expect(viaBusctl.code, viaBusctl.output).toBe(0);
    const glibSawBusctl = await loggedCall("Mix");
    const ours = await nova("call", NAME, PATH, IFACE, ...words);
    expect(ours.stderr).toBe("");
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe("('ok',)\n");
    expect(await loggedCall("Mix")).toBe(glibSawBusctl);
    expect(glibSawBusctl).toContain("{'k': <'v'>, 'n': <-1>}");
  });

  it("call --gvariant: gdbus call's GVariant arguments, typed from introspection, reach the service alike", async () => {
    const args = ["-7", "['x', 'y']", "{'k': <'v'>, 'n': <uint64 5>}", "(byte 0x01, true, 7)", "b'ab'"];
    const viaGdbus = await gdbus("call", "--session", "--dest", NAME, "--object-path", PATH, "--method", `${IFACE}.Mix`, "--", ...args);
    expect(viaGdbus.code, viaGdbus.output).toBe(0);
    const glibSawGdbus = await loggedCall("Mix");
    const ours = await nova("call", NAME, PATH, IFACE, "Mix", "--gvariant", `(${args.join(", ")})`);
    expect(ours.stderr).toBe("");
    expect(await loggedCall("Mix")).toBe(glibSawGdbus);
    // The same with the signature given instead of looked up.
    await nova("call", NAME, PATH, IFACE, "Mix", "iasa{sv}(ybt)ay", "--gvariant", `(${args.join(", ")})`);
    expect(await loggedCall("Mix")).toBe(glibSawGdbus);
  });

  it("call prints replies as gdbus does, or as JSON", async () => {
    const tuple = "('héllo \\'q\\'', <{'a': <[int64 1, 2]>, 'b': <@ay []>}>)";
    const viaGdbus = await gdbus("call", "--session", "--dest", NAME, "--object-path", PATH, "--method", `${IFACE}.Echo`, "héllo 'q'", "<{'a': <[int64 1, 2]>, 'b': <@ay []>}>");
    expect(viaGdbus.code, viaGdbus.output).toBe(0);
    const ours = await nova("call", NAME, PATH, IFACE, "Echo", "--gvariant", tuple);
    expect(ours.stdout).toBe(viaGdbus.output);
    const json = await nova("--json", "call", NAME, PATH, IFACE, "Echo", "sv", "x", "t", "18446744073709551615");
    expect(JSON.parse(json.stdout)).toEqual({ type: "sv", data: ["x", { type: "t", data: { $n: "18446744073709551615" } }] });
  });

  it("a D-Bus error reply is exit 1 with error[RemoteError] and the error name; bad arguments exit 1 before anything is sent", async () => {
    const failed = await nova("call", NAME, PATH, IFACE, "Fail", "s", "x");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe("error[RemoteError]: D-Bus call: org.novade.Test.Error.Nope: it failed on purpose\n");
    const bad = await nova("call", NAME, PATH, IFACE, "Mix", "iasa{sv}(ybt)ay", "notanumber");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error\[InvalidArgument\]: "notanumber" is not an integer \(type i\)\n$/);
    const unknown = await nova("call", NAME, PATH, IFACE, "Nope", "--gvariant", "()");
    expect(unknown.stderr).toMatch(/^error\[MethodNotFound\]: .* has no method Nope\n$/);
  });

  it("get and set: the property values GLib holds, set busctl-style and as GVariant text", async () => {
    const got = await nova("get", NAME, PATH, IFACE, "Volume", "Label");
    expect(got.stdout).toBe("uint32 3\n'hello'\n");
    expect((await nova("set", NAME, PATH, IFACE, "Volume", "u", "9")).code).toBe(0);
    expect(await peer.waitFor(/^SET /, 20_000)).toBe(`SET ${IFACE}.Volume uint32 9`);
    expect((await nova("set", NAME, PATH, IFACE, "Volume", "--gvariant", "11")).code).toBe(0); // type from introspection
    expect(await peer.waitFor(/^SET /, 20_000)).toBe(`SET ${IFACE}.Volume uint32 11`);
    const viaBusctl = await busctl("get-property", NAME, PATH, IFACE, "Volume");
    expect(viaBusctl.output.trim()).toBe("u 11");
    expect(JSON.parse((await nova("--json", "get", NAME, PATH, IFACE, "Volume")).stdout)).toEqual({ type: "u", data: 11 });
    const readOnly = await nova("set", NAME, PATH, IFACE, "Label", "s", "x");
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/^error\[RemoteError\]: .*org\.freedesktop\.DBus\.Error\./);
  });

  it("introspect: the members with their signatures and current values; --xml is what gdbus introspect gets", async () => {
    const table = (await nova("introspect", NAME, PATH, IFACE)).stdout.split("\n");
    expect(table[0]).toMatch(/^NAME +TYPE +SIGNATURE +RESULT\/VALUE +FLAGS$/);
    const row = (name: string) => table.find((l) => l.startsWith(`${name} `))?.split(/ +/);
    expect(row(".Mix")).toEqual([".Mix", "method", "iasa{sv}(ybt)ay", "s", "-"]);
    expect(row(".Ping")).toEqual([".Ping", "signal", "sv", "-", "-"]);
    expect(row(".Label")).toEqual([".Label", "property", "s", "'hello'", "read"]);
    expect(row(".Volume")?.slice(0, 3)).toEqual([".Volume", "property", "u"]);
    const xml = await nova("introspect", NAME, PATH, "--xml");
    const viaGdbus = await gdbus("introspect", "--session", "--dest", NAME, "--object-path", PATH, "--xml");
    expect(compareDbusXml(xml.stdout, viaGdbus.output)).toEqual([]);
  });

  it("tree and list agree with busctl", async () => {
    const ours = await nova("tree", NAME, "--list");
    const theirs = await busctl("tree", "--list", NAME);
    expect(ours.stdout.trim().split("\n")).toEqual(theirs.output.trim().split("\n"));
    expect(ours.stdout).toContain(`${PATH}\n`);
    expect((await nova("tree", NAME)).stdout).toMatch(/^\/\n└─\/org\n  └─\/org\/novade\n/);
    const names = JSON.parse((await nova("--json", "list")).stdout) as { name: string; owner?: string; pid?: number }[];
    expect(names.find((n) => n.name === NAME)).toMatchObject({ owner: peer.uniqueName, pid: peer.pid });
    const busctlNames = (await busctl("list", "--no-legend")).output.trim().split("\n").map((l) => l.split(/\s+/)[0]);
    expect(names.map((n) => n.name).sort()).toEqual(expect.arrayContaining(busctlNames.filter((n) => !n.startsWith(":")).sort()));
    const text = (await nova("list", "--acquired")).stdout;
    expect(text).toMatch(new RegExp(`^${NAME.replace(/\./g, "\\.")} +${peer.pid} +python3 `, "m"));
  });
});

describe("nova dbus against dbus-daemon itself", () => {
  it("call, get, introspect and tree on org.freedesktop.DBus", async () => {
    expect((await nova("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner", "s", NAME)).stdout).toBe(`('${peer.uniqueName}',)\n`);
    const features = await nova("get", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Features");
    const viaGdbus = await gdbus("call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.Properties.Get", "org.freedesktop.DBus", "Features");
    expect(`(<${features.stdout.trim()}>,)`).toBe(viaGdbus.output.trim());
    const table = (await nova("introspect", "org.freedesktop.DBus", "/org/freedesktop/DBus")).stdout;
    expect(table).toMatch(/^\.ListNames +method +- +as +-$/m);
    expect(table).toMatch(/^org\.freedesktop\.DBus\.Monitoring +interface/m);
    const tree = await nova("tree", "org.freedesktop.DBus", "--list");
    expect(tree.stdout.trim().split("\n")).toEqual((await busctl("tree", "--list", "org.freedesktop.DBus")).output.trim().split("\n"));
    const refused = await nova("set", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Features", "as", "0");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error\[RemoteError\]: .*org\.freedesktop\.DBus\.Error\.\w+/);
  });

  it("connection failures and usage errors are one line with the right exit code", async () => {
    const bin = ensureBuilt("bin/nova.js");
    const missing = await new Promise<Run>((resolve) =>
      execFile(process.execPath, [bin, "dbus", "--address", `unix:path=${bus.dir}/nothing.sock`, "list"], (e, stdout, stderr) => resolve({ code: (e as { code?: number } | null)?.code ?? 0, stdout, stderr })),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error\[EndpointUnreachable\]: cannot connect to the D-Bus bus at .*nothing\.sock.*ENOENT.*\n$/);
    const twoBuses = await nova("list", "--system"); // nova() passes --address too
    expect(twoBuses.code).toBe(2);
    expect(twoBuses.stderr).toMatch(/option '--system' cannot be used with option '--address <address>'/);
    expect((await nova("frobnicate")).code).toBe(2);
    expect((await nova("call", NAME)).code).toBe(2);
  });
});

describe("nova dbus monitor", () => {
  it("prints a gdbus emit signal, a call, and dbus-daemon's own signals with their types, until SIGINT", async () => {
    const bin = ensureBuilt("bin/nova.js");
    const child = spawn(process.execPath, [bin, "dbus", "--address", bus.address, "monitor", "--match", `type='signal',interface='${IFACE}'`, "--match", "sender='org.freedesktop.DBus',member='NameOwnerChanged'", NAME], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const until = async (what: () => boolean, label: string): Promise<void> => {
      for (let waited = 0; !what(); waited += 25) {
        if (waited > 20_000 || child.exitCode !== null) throw new Error(`monitor: no ${label}; stdout ${out}; stderr ${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    try {
      await until(() => err.startsWith("monitoring "), "readiness line");
      const emitted = await gdbus("emit", "--session", "--object-path", PATH, "--signal", `${IFACE}.Ping`, "'hi'", "<uint32 7>");
      expect(emitted.code, emitted.output).toBe(0);
      await until(() => out.includes("('hi', <uint32 7>)"), "signal");
      expect(out).toMatch(new RegExp(`^signal time=\\d+\\.\\d+ sender=:1\\.\\d+ -> destination=\\(null\\) serial=\\d+ path=${PATH} interface=${IFACE} member=Ping signature=sv\\n  \\('hi', <uint32 7>\\)\\n`, "m"));
      await peer.emit(PATH, IFACE, "Ping", "('from the peer', <@as ['a']>)");
      await until(() => out.includes("('from the peer', <['a']>)"), "peer's signal");
      await nova("call", NAME, PATH, IFACE, "Echo", "sv", "x", "y", "200");
      await until(() => out.includes("member=Echo signature=sv\n  ('x', <byte 0xc8>)"), "call to the name");
      expect(out).toMatch(/^method return .* signature=sv\n  \('x', <byte 0xc8>\)$/m);
      // A call passing a descriptor (h): the monitor gets the descriptors too, and prints the index.
      const fd = await nova("call", NAME, PATH, IFACE, "Fd", "h", "0"); // its stdin (a dup of stdout would keep execFile waiting for EOF)
      expect(fd.stdout).toBe("(handle 0,)\n");
      await until(() => /member=Fd signature=h fds=1\n  \(handle 0,\)\n/.test(out), "call with a descriptor");
      // dbus-daemon's own signal about that nova process's connection.
      expect(out).toMatch(/^signal time=\S+ sender=org\.freedesktop\.DBus -> destination=\(null\) serial=\d+ path=\/org\/freedesktop\/DBus interface=org\.freedesktop\.DBus member=NameOwnerChanged signature=sss\n  \(':1\.\d+', '', ':1\.\d+'\)$/m);
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    }
  });
});
