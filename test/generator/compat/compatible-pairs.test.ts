/**
 * `nova-gen compat` tells the truth: for every change kind it accepts (generator/compat/change-kinds.ts),
 * a client generated from v1 works with a server generated from v2 and the reverse, over a real Unix
 * socket (the wire codec both ways), with calls that exercise the changed element. And a change it calls
 * breaking (a @closed enum gaining a value that reaches clients) really breaks an old client.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCompat, COMPATIBLE_CHANGE_KINDS } from "../../../generator/compat/index.js";
import { emitTypeScript } from "../../../generator/emit/ts/index.js";
import { connectRpc, serveRpc } from "../../../runtime/rpc/connect.js";
import { endpointIn, makeTempDir, removeDir } from "../../transport/helpers.js";
import { compileOrThrow, freshTempDir, tscStrict, writeFiles, writeRuntimeShim, type TscResult } from "../ts/helpers/generate.js";
import { PAIR_SCENARIOS, ipcRejection, type Generated, type Pair, type PairScenario } from "./helpers/pair-scenarios.js";

/** A @closed enum gains a value that the server returns: compat must call it breaking, and it is. */
const CLOSED_OUTBOUND = {
  name: "closed-outbound",
  v1: "package compat.pairs;\n\n@closed\nenum Mode : u8 { a = 0; b = 1; }\n\ninterface Svc {\n    method current() -> (m: Mode);\n}\n",
  v2: "package compat.pairs;\n\n@closed\nenum Mode : u8 { a = 0; b = 1; c = 2; }\n\ninterface Svc {\n    method current() -> (m: Mode);\n}\n",
};

const VERSIONS = [1, 2] as const;
const CASES = [...PAIR_SCENARIOS.map((s) => ({ name: s.kind as string, v1: s.v1, v2: s.v2 })), CLOSED_OUTBOUND];

let dir = "";
let sockets = "";
let tsc: TscResult;
const modules = new Map<string, Generated>();
const moduleKey = (name: string, version: 1 | 2) => `${name}/v${version}`;

beforeAll(async () => {
  dir = freshTempDir("compat-pairs");
  sockets = makeTempDir("nova-compat-pairs-");
  writeRuntimeShim(dir);
  const files: string[] = [];
  for (const c of CASES) {
    for (const version of VERSIONS) {
      const model = compileOrThrow([{ path: `${c.name}/v${version}.nidl`, text: version === 1 ? c.v1 : c.v2 }]);
      const out = await emitTypeScript(model, { runtimeImport: "../../runtime-shim.js" });
      expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      writeFiles(join(dir, c.name, `v${version}`), out.files);
      files.push(...out.files.map((f) => `${c.name}/v${version}/${f.path}`));
    }
  }
  tsc = await tscStrict(dir, files);
  for (const c of CASES) {
    for (const version of VERSIONS) {
      modules.set(moduleKey(c.name, version), (await import(pathToFileURL(join(dir, c.name, `v${version}`, "compat.pairs.ts")).href)) as Generated);
    }
  }
}, 180_000);

afterAll(() => {
  removeDir(sockets);
  if (tsc?.ok === true && dir !== "") rmSync(dir, { recursive: true, force: true });
});

/** Exported names ending in `suffix` (`SvcClient`, `registerSvc`), by interface name. */
function byInterface(module: Generated, pattern: RegExp): Map<string, unknown> {
  return new Map(Object.entries(module).flatMap(([name, value]) => {
    const m = pattern.exec(name);
    return m ? [[m[1]!, value] as [string, unknown]] : [];
  }));
}

/** Serves `serverVersion` of a scenario on a fresh socket, connects `clientVersion` to it and runs `body`. */
async function withPair(scenario: PairScenario | undefined, name: string, clientVersion: 1 | 2, serverVersion: 1 | 2, body: (pair: Pair) => Promise<void>, impl?: Record<string, object>): Promise<void> {
  const serverModule = modules.get(moduleKey(name, serverVersion)) as Generated;
  const clientModule = modules.get(moduleKey(name, clientVersion)) as Generated;
  const seen: unknown[] = [];
  const served = await serveRpc(endpointIn(sockets, "unix"));
  const rpc = await connectRpc(served.listener.endpoint);
  try {
    const impls = impl ?? scenario!.impl(serverVersion, seen, serverModule);
    for (const [iface, register] of byInterface(serverModule, /^register(\w+)$/)) {
      const implementation = impls[iface];
      if (implementation !== undefined) (register as (port: unknown, impl: object) => unknown)(served.server, implementation);
    }
    const clients: Generated = {};
    for (const [iface, Client] of byInterface(clientModule, /^(\w+)Client$/)) clients[iface] = new (Client as new (port: unknown) => object)(rpc);
    const emitters: Generated = {};
    for (const [iface, Emitter] of byInterface(serverModule, /^(\w+)Emitter$/)) emitters[iface] = new (Emitter as new (port: unknown) => object)(served.server);
    await body({ clientModule, clients, serverModule, emitters, seen, rpc });
  } finally {
    await rpc.close(false).catch(() => undefined);
    await served.close(false).catch(() => undefined);
  }
}

describe("compatible change kinds, proven with generated clients and servers of both versions", () => {
  it("generates TypeScript that compiles under tsc --strict", () => {
    expect(tsc.output).toBe("");
    expect(tsc.ok).toBe(true);
  });

  it("has exactly one pairing scenario for every compatible change kind compat knows", () => {
    const kinds = PAIR_SCENARIOS.map((s) => s.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect([...kinds].sort()).toEqual([...COMPATIBLE_CHANGE_KINDS].sort());
  });

  describe.each(PAIR_SCENARIOS.map((s) => [s.kind, s] as const))("%s", (kind, scenario) => {
    it("is what compat reports, and nothing breaking", () => {
      const r = checkCompat([{ path: "v1/svc.nidl", text: scenario.v1 }], [{ path: "v2/svc.nidl", text: scenario.v2 }]);
      expect(r.loaded).toBe(true);
      expect(r.diagnostics).toEqual([]);
      expect([...new Set(r.compatible.map((c) => c.kind))]).toEqual([kind]);
    });

    it("a v1 client works with a v2 server", async () => {
      await withPair(scenario, kind, 1, 2, (pair) => scenario.oldClientNewServer(pair));
    });

    it("a v2 client works with a v1 server", async () => {
      await withPair(scenario, kind, 2, 1, (pair) => scenario.newClientOldServer(pair));
    });
  });
});

describe("a breaking change compat reports really breaks", () => {
  it("a @closed enum that gains a value returned to clients: NIDL5011, and the v1 client rejects the value", async () => {
    const r = checkCompat([{ path: "v1/svc.nidl", text: CLOSED_OUTBOUND.v1 }], [{ path: "v2/svc.nidl", text: CLOSED_OUTBOUND.v2 }]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NIDL5011"]);
    await withPair(undefined, CLOSED_OUTBOUND.name, 1, 2, async ({ clients }) => {
      const error = await ipcRejection(clients["Svc"].current());
      expect(error.code).toBe("MessageValidationFailed");
    }, { Svc: { current: () => 2 } });
  });
});
