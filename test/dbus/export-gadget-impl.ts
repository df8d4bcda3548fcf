/**
 * A real implementation of the test Gadget (fixtures/gadget.nidl) for the
 * export and proxy tests: it keeps its properties, announces changes the way
 * each property's EmitsChangedSignal says, counts property reads (to tell a
 * cached read from a remote one) and passes descriptors through temp files.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { exportService, type DbusServerPort } from "../../runtime/dbus/export.js";
import { Broken, GadgetDbus, GadgetEmitter, registerGadget, type GadgetImpl } from "./fixtures/generated/org.novade.test.gadget.js";

/** The bus name the gadget service takes. */
export const GADGET_NAME = "org.novade.test.Gadget";

/** A running gadget service. */
export interface GadgetService {
  readonly conn: DbusConnection;
  readonly port: DbusServerPort;
  readonly state: { name: string; level: number; secret: string; sink: string };
  /** Property reads served, by NIDL property name. */
  readonly reads: Map<string, number>;
  stop(): Promise<void>;
}

/** Reads up to 64 bytes of `fd` from its start. */
export function readAll(fd: number): string {
  const buf = Buffer.alloc(64);
  const n = readSync(fd, buf, 0, buf.length, 0);
  return buf.subarray(0, n).toString("utf8");
}

/** Starts the gadget on `address` under {@link GADGET_NAME}. */
export async function startGadget(address: string): Promise<GadgetService> {
  const conn = await DbusConnection.connect({ address, timeoutMs: 10_000 });
  const port = await exportService(conn, { interfaces: [GadgetDbus], name: GADGET_NAME });
  const emitter = new GadgetEmitter(port);
  const dir = mkdtempSync(join(tmpdir(), "nova-gadget-"));
  const opened: number[] = [];
  const state = { name: "gadget", level: 1, secret: "s3", sink: "" };
  const reads = new Map<string, number>();
  const read = <T>(name: string, value: T): T => {
    reads.set(name, (reads.get(name) ?? 0) + 1);
    return value;
  };
  const impl: GadgetImpl = {
    swap: (a, b) => ({ first: b, second: a }),
    mix: (props, mode, points, raw, small, big, pair, ids) => ({ props, mode, points, raw, small, big, pair, ids }),
    break: (code) => {
      throw new Broken(`broken with ${code}`, { code, at: { x: code, y: -code } });
    },
    readFd: (fd) => {
      try {
        return readAll(fd);
      } finally {
        closeSync(fd);
      }
    },
    openFd: (text) => {
      const file = join(dir, `fd-${opened.length}`);
      writeFileSync(file, text);
      const fd = openSync(file, "r");
      // Kept open until stop(): the reply carries a duplicate, sent after this returns.
      opened.push(fd);
      return fd;
    },
    move: (p, mode) => emitter.emitMoved({ x: p.x + 1, y: p.y + 1 }, mode),
    getNameProperty: () => read("Name", state.name),
    setNameProperty: (value) => {
      state.name = value;
      emitter.emitNamePropertyChanged(value);
    },
    getLevelProperty: () => read("Level", state.level),
    setLevelProperty: (value) => {
      state.level = value;
      emitter.emitLevelPropertyChanged(value);
    },
    getSerialProperty: () => read("Serial", "SN-1"),
    getSecretProperty: () => read("Secret", state.secret),
    setSecretProperty: (value) => {
      state.secret = value;
    },
    setSinkProperty: (value) => {
      state.sink = value;
    },
  };
  registerGadget(port, impl);
  return {
    conn,
    port,
    state,
    reads,
    stop: async () => {
      await port.close();
      await conn.close();
      for (const fd of opened) closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
