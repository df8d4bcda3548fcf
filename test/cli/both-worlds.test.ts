/**
 * "One tool inspects both": one Calculator implementation served at once on our Unix-socket
 * transport (serveRpc) and on a private dbus-daemon (exportService); `nova call` and `nova dbus`
 * see the same state through the corresponding verbs (README "One tool for both worlds").
 */
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { exportService, type DbusServerPort } from "../../runtime/dbus/export.js";
import { serveRpc, type RpcEndpoint } from "../../runtime/rpc/connect.js";
import type { RpcServerPort } from "../../runtime/rpc/contract.js";
import { CalculatorDbus, CalculatorEmitter, registerCalculator } from "../../examples/demo/generated/org.novade.demo.js";
import { createCalculator } from "../../examples/demo/calculator-service.js";
import { startDbusDaemon, type DbusDaemon } from "../helpers/dbus-daemon.js";
import { ensureBuilt, endpointIn, makeTempDir, removeDir } from "../transport/helpers.js";
import { connectBus } from "../../runtime/bus/client.js";
import { startBus } from "./processes.js";

const NAME = "org.novade.demo.Calculator";
const PATH = "/org/novade/demo/Calculator";
const IFACE = "org.novade.demo.Calculator";

let dir: string;
let bus: DbusDaemon;
let served: RpcEndpoint;
let conn: DbusConnection;
let port: DbusServerPort;

beforeAll(async () => {
  dir = makeTempDir("nova-both-");
  bus = await startDbusDaemon({ prefix: "nova-both-dbus-" });
  served = await serveRpc(endpointIn(dir, "unix", "calc"), { transport: "unix" });
  conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 15_000 });
  port = await exportService(conn, { interfaces: [CalculatorDbus], name: NAME });
  // One implementation; its signals go out on both ports.
  const both: RpcServerPort = { register: () => ({ unregister: () => undefined }), emit: (i, m, a) => (served.server.emit(i, m, a), port.emit(i, m, a)) };
  const impl = createCalculator(new CalculatorEmitter(both));
  registerCalculator(served.server, impl);
  registerCalculator(port, impl);
}, 60_000);

afterAll(async () => {
  await port?.close();
  await conn?.close();
  await served?.close(false);
  await bus?.stop();
  removeDir(dir);
});

function nova(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [ensureBuilt("bin/nova.js"), ...args], { timeout: 30_000 }, (e, stdout, stderr) => resolve({ code: (e as { code?: number } | null)?.code ?? 0, stdout, stderr })),
  );
}
const dbus = (...args: string[]) => nova("dbus", "--address", bus.address, ...args);

describe("nova call and nova dbus on one service", () => {
  it("call, get and errors correspond verb for verb", async () => {
    const ep = served.listener.endpoint;
    expect((await nova("call", ep, `${IFACE}.add`, "[20, 22]")).stdout).toBe("42\n");
    expect((await dbus("call", NAME, PATH, IFACE, "add", "dd", "1", "2")).stdout).toBe("(3.0,)\n");
    expect((await nova("call", ep, `${IFACE}.@get`, '["count"]')).stdout).toBe("2\n");
    expect((await dbus("get", NAME, PATH, IFACE, "count")).stdout).toBe("uint32 2\n");
    expect(JSON.parse((await nova("call", ep, `${IFACE}.history`)).stdout)).toEqual([{ op: "add", result: 42 }, { op: "add", result: 3 }]);
    expect((await dbus("call", NAME, PATH, IFACE, "history")).stdout).toBe("([('add', 42.0), ('add', 3.0)],)\n");
    const ours = await nova("call", ep, `${IFACE}.divide`, "[1, 0]");
    const theirs = await dbus("call", NAME, PATH, IFACE, "divide", "dd", "1", "0");
    expect([ours.code, theirs.code]).toEqual([1, 1]);
    expect(ours.stderr).toMatch(/^error\[RemoteError\]: cannot divide 1 by zero \(org\.novade\.demo\.DivisionByZero \{"dividend":1\}\)\n$/);
    expect(theirs.stderr).toBe("error[RemoteError]: D-Bus call: org.novade.demo.Error.DivisionByZero: cannot divide 1 by zero\n");
  });

  it("list: nova list names the nova bus's names and owners in the columns nova dbus list has", async () => {
    const socket = endpointIn(dir, "unix", "bus");
    const novaBus = await startBus(socket);
    const client = await connectBus(socket);
    try {
      expect(await client.requestName(NAME)).toBe("primary");
      const owner = await client.getNameOwner(NAME);
      const ours = await nova("list", "--bus", socket);
      expect(ours.stdout.split("\n")[0]).toMatch(/^NAME +CONNECTION$/);
      expect(ours.stdout).toMatch(new RegExp(`^${NAME.replace(/\./g, "\\.")} +${owner}$`, "m"));
      expect(JSON.parse((await nova("list", "--bus", socket, "--json")).stdout)).toContainEqual({ name: NAME, owner });
      const onDbus = await dbus("list", "--acquired");
      expect(onDbus.stdout.split("\n")[0]).toMatch(/^NAME +PID +PROCESS +USER +CONNECTION +ACTIVATABLE$/);
      expect(onDbus.stdout).toMatch(new RegExp(`^${NAME.replace(/\./g, "\\.")} +${process.pid} +\\S+ +\\d+ +${conn.uniqueName.replace(/\./g, "\\.")} +-$`, "m"));
    } finally {
      await client.close(false);
      expect((await novaBus.stop()).code).toBe(0);
    }
    const gone = await nova("list", "--bus", socket);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error\[EndpointUnreachable\]: /);
  });
});
