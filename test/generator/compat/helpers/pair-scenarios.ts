/**
 * One scenario per compatible change kind of `nova-gen compat` (generator/compat/change-kinds.ts): two
 * versions of a small interface, a server implementation that fits either version, and the real calls a
 * client of one version makes against a server of the other. Each interaction exercises the changed
 * element itself: the new enum value is sent to the old client, the new method is called on the old
 * server, and so on. compatible-pairs.test.ts generates, compiles and runs them over a Unix socket.
 */
import { expect } from "vitest";
import type { CompatibleChangeKind } from "../../../../generator/compat/index.js";
import { IPCError } from "../../../../runtime/errors.js";
import type { RpcClient } from "../../../../runtime/rpc/rpc-client.js";

/**
 * A module generated at test time: its exports are only known once it is generated, so the scenarios
 * reach them by name (the generated code itself is type-checked with `tsc --strict` by the test).
 */
export type Generated = Record<string, any>;

/** A connected client of one version and a served implementation of the other. */
export interface Pair {
  /** The client's generated module, and its clients bound to the connection, by interface (`Svc`). */
  readonly clientModule: Generated;
  readonly clients: Generated;
  /** The server's generated module, and its emitters on the server port, by interface. */
  readonly serverModule: Generated;
  readonly emitters: Generated;
  /** What the server implementation received. */
  readonly seen: unknown[];
  /** The raw connection (for a round trip that orders a subscription before an emit). */
  readonly rpc: RpcClient;
}

/** Two versions of an interface and the interactions between them. */
export interface PairScenario {
  readonly kind: CompatibleChangeKind;
  readonly v1: string;
  readonly v2: string;
  /** Implementations by interface name, for a server of `version` (generated as `module`); `seen` records what arrived. */
  impl(version: 1 | 2, seen: unknown[], module: Generated): Record<string, object>;
  /** A v1 client against a v2 server. */
  oldClientNewServer(pair: Pair): Promise<void>;
  /** A v2 client against a v1 server. */
  newClientOldServer(pair: Pair): Promise<void>;
}

/** Resolves once `predicate` holds (signals arrive asynchronously). */
export async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The rejection of `promise` (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** The IPCError `promise` rejects with (fails on anything else). */
export async function ipcRejection(promise: Promise<unknown>): Promise<IPCError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(IPCError);
  return error as IPCError;
}

const HEAD = "package compat.pairs;\n\n";
const PING = "    method ping(x: u32) -> (y: u32);\n";
const ping = { ping: (x: number) => x + 1 };

/** An interface `Svc` holding `ping` and `body`. */
const svc = (body: string, before = ""): string => `${HEAD}${before}interface Svc {\n${PING}${body}}\n`;

const LEVEL_USES = "    method echo(l: Level) -> (l2: Level);\n    method current() -> (l: Level);\n    signal changed(l: Level);\n    property level: Level { read; write; }\n";

export const PAIR_SCENARIOS: readonly PairScenario[] = [
  {
    kind: "interface-added",
    v1: svc(""),
    v2: `${svc("")}\ninterface Extra {\n    method hello() -> (s: string);\n}\n`,
    impl: () => ({ Svc: ping, Extra: { hello: () => "hi" } }),
    async oldClientNewServer({ clients }) {
      expect(await clients["Svc"].ping(1)).toBe(2);
    },
    async newClientOldServer({ clients }) {
      expect((await ipcRejection(clients["Extra"].hello())).code).toBe("MethodNotFound");
      expect(await clients["Svc"].ping(1)).toBe(2);
    },
  },
  {
    kind: "method-added",
    v1: svc(""),
    v2: svc("    method pong() -> (s: string);\n"),
    impl: () => ({ Svc: { ...ping, pong: () => "pong" } }),
    async oldClientNewServer({ clients }) {
      expect(await clients["Svc"].ping(41)).toBe(42);
    },
    async newClientOldServer({ clients }) {
      expect((await ipcRejection(clients["Svc"].pong())).code).toBe("MethodNotFound");
      expect(await clients["Svc"].ping(41)).toBe(42);
    },
  },
  {
    kind: "signal-added",
    v1: svc("    signal tick(n: u32);\n"),
    v2: svc("    signal tick(n: u32);\n    signal extra(n: u32);\n"),
    impl: () => ({ Svc: ping }),
    async oldClientNewServer({ clients, emitters }) {
      const ticks: number[] = [];
      clients["Svc"].onTick((n: number) => ticks.push(n));
      await clients["Svc"].ping(0);
      emitters["Svc"].emitExtra(7);
      emitters["Svc"].emitTick(8);
      await until(() => ticks.length === 1);
      expect(ticks).toEqual([8]);
    },
    async newClientOldServer({ clients, emitters }) {
      const got: string[] = [];
      clients["Svc"].onExtra((n: number) => got.push(`extra ${n}`));
      clients["Svc"].onTick((n: number) => got.push(`tick ${n}`));
      await clients["Svc"].ping(0);
      emitters["Svc"].emitTick(9);
      await until(() => got.length === 1);
      expect(got).toEqual(["tick 9"]);
    },
  },
  {
    kind: "property-added",
    v1: svc(""),
    v2: svc("    property label: string { read; }\n"),
    impl: () => ({ Svc: { ...ping, getLabelProperty: () => "v2" } }),
    async oldClientNewServer({ clients }) {
      expect(await clients["Svc"].ping(1)).toBe(2);
    },
    async newClientOldServer({ clients }) {
      expect((await ipcRejection(clients["Svc"].getLabelProperty())).code).toBe("MethodNotFound");
    },
  },
  {
    kind: "property-access-widened",
    v1: svc("    property level: u32 { read; }\n"),
    v2: svc("    property level: u32 { read; write; }\n"),
    impl: (_version, seen) => {
      let level = 1;
      return { Svc: { ...ping, getLevelProperty: () => level, setLevelProperty: (value: number) => void seen.push((level = value)) } };
    },
    async oldClientNewServer({ clients }) {
      expect(await clients["Svc"].getLevelProperty()).toBe(1);
    },
    async newClientOldServer({ clients, seen }) {
      expect((await ipcRejection(clients["Svc"].setLevelProperty(3))).code).toBe("MethodNotFound");
      expect(await clients["Svc"].getLevelProperty()).toBe(1);
      expect(seen).toEqual([]);
    },
  },
  {
    kind: "property-notify-added",
    v1: svc("    property level: u32 { read; }\n"),
    v2: svc("    property level: u32 { read; notify; }\n"),
    impl: () => ({ Svc: { ...ping, getLevelProperty: () => 5 } }),
    async oldClientNewServer({ clients, emitters }) {
      emitters["Svc"].emitLevelPropertyChanged(6);
      expect(await clients["Svc"].getLevelProperty()).toBe(5);
    },
    async newClientOldServer({ clients }) {
      const values: number[] = [];
      const stop = clients["Svc"].observeLevelProperty((value: number) => values.push(value));
      expect(await clients["Svc"].getLevelProperty()).toBe(5);
      stop();
      expect(values).toEqual([]);
    },
  },
  {
    kind: "argument-renamed",
    v1: `${HEAD}interface Svc {\n    method split(x: u32) -> (high: u32, low: u32);\n}\n`,
    v2: `${HEAD}interface Svc {\n    method split(value: u32) -> (upper: u32, lower: u32);\n}\n`,
    impl: (version) => ({
      Svc: { split: (x: number) => (version === 1 ? { high: x >>> 8, low: x & 0xff } : { upper: x >>> 8, lower: x & 0xff }) },
    }),
    async oldClientNewServer({ clients }) {
      expect(await clients["Svc"].split(0x1234)).toEqual({ high: 0x12, low: 0x34 });
    },
    async newClientOldServer({ clients }) {
      expect(await clients["Svc"].split(0x1234)).toEqual({ upper: 0x12, lower: 0x34 });
    },
  },
  {
    kind: "member-deprecated",
    v1: svc("    method legacy(x: u32) -> (y: u32);\n"),
    v2: svc('    @deprecated("use ping")\n    method legacy(x: u32) -> (y: u32);\n'),
    impl: () => ({ Svc: { ...ping, legacy: (x: number) => x * 2 } }),
    async oldClientNewServer({ clients }) {
      expect(await clients["Svc"].legacy(4)).toBe(8);
    },
    async newClientOldServer({ clients }) {
      expect(await clients["Svc"].legacy(5)).toBe(10);
    },
  },
  ...throwsScenarios(),
  ...enumScenarios(),
];

/** Errors: `take` throws Busy for 1 and Gone for 2; which of them it declares changes. */
function throwsScenarios(): PairScenario[] {
  const errors = "error Busy;\nerror Gone { why: string; }\n\n";
  const take = (throwsList: string) => svc(`    method take(x: u32) -> (y: u32) throws ${throwsList};\n`, errors);
  const impl = (_version: 1 | 2, _seen: unknown[], mod: Generated): Record<string, object> => ({
    Svc: {
      ...ping,
      take(x: number) {
        if (x === 1) throw new mod["Busy"]("busy");
        if (x === 2) throw new mod["Gone"]("gone", { why: "moved" });
        return x;
      },
    },
  });
  /** Gone reaches a client that does not declare it as a plain RemoteError carrying its name and data. */
  const undeclaredGone = async (clients: Generated): Promise<void> => {
    const error = await ipcRejection(clients["Svc"].take(2));
    expect(error.code).toBe("RemoteError");
    expect(error.context).toMatchObject({ errorName: "compat.pairs.Gone", data: { why: "moved" } });
  };
  return [
    {
      kind: "throws-added",
      v1: take("Busy"),
      v2: take("Busy, Gone"),
      impl,
      async oldClientNewServer({ clients, clientModule }) {
        await undeclaredGone(clients);
        expect(await rejection(clients["Svc"].take(1))).toBeInstanceOf(clientModule["Busy"]);
        expect(await clients["Svc"].take(3)).toBe(3);
      },
      async newClientOldServer({ clients, clientModule }) {
        expect(await rejection(clients["Svc"].take(2))).toBeInstanceOf(clientModule["Gone"]);
        expect(await clients["Svc"].take(3)).toBe(3);
      },
    },
    {
      kind: "throws-removed",
      v1: take("Busy, Gone"),
      v2: take("Busy"),
      impl,
      async oldClientNewServer({ clients, clientModule }) {
        expect(await rejection(clients["Svc"].take(1))).toBeInstanceOf(clientModule["Busy"]);
        expect(await rejection(clients["Svc"].take(2))).toBeInstanceOf(clientModule["Gone"]);
      },
      async newClientOldServer({ clients }) {
        await undeclaredGone(clients);
      },
    },
  ];
}

/** Enums and flags: the new value really crosses between the versions. */
function enumScenarios(): PairScenario[] {
  const levelImpl = (seen: unknown[], current: number) => {
    let level = current;
    return {
      Svc: {
        ...ping,
        echo: (l: number) => (seen.push(l), l),
        current: () => current,
        getLevelProperty: () => level,
        setLevelProperty: (value: number) => void seen.push((level = value)),
      },
    };
  };
  return [
    {
      kind: "enum-value-added",
      v1: svc(LEVEL_USES, "enum Level : u8 { low = 0; high = 1; }\n\n"),
      v2: svc(LEVEL_USES, "enum Level : u8 { low = 0; high = 1; max = 2; }\n\n"),
      impl: (version, seen) => levelImpl(seen, version === 2 ? 2 : 1),
      async oldClientNewServer({ clients, clientModule, emitters }) {
        // The v1 client has never heard of 2, and receives it as a result, a property value and a signal.
        expect(Object.values(clientModule["Level"])).not.toContain(2);
        expect(await clients["Svc"].current()).toBe(2);
        expect(await clients["Svc"].getLevelProperty()).toBe(2);
        const changes: number[] = [];
        clients["Svc"].onChanged((l: number) => changes.push(l));
        await clients["Svc"].ping(0);
        emitters["Svc"].emitChanged(2);
        await until(() => changes.length === 1);
        expect(changes).toEqual([2]);
      },
      async newClientOldServer({ clients, clientModule, seen }) {
        // The v1 server receives the value it does not know, keeps it as it came and sends it back.
        expect(await clients["Svc"].echo(clientModule["Level"].max)).toBe(2);
        await clients["Svc"].setLevelProperty(clientModule["Level"].max);
        expect(await clients["Svc"].getLevelProperty()).toBe(2);
        expect(seen).toEqual([2, 2]);
      },
    },
    {
      kind: "flags-bit-added",
      v1: svc("    method echo(c: Caps) -> (c2: Caps);\n    method current() -> (c: Caps);\n", "flags Caps : u32 { read; write; }\n\n"),
      v2: svc("    method echo(c: Caps) -> (c2: Caps);\n    method current() -> (c: Caps);\n", "flags Caps : u32 { read; write; share; }\n\n"),
      impl: (version, seen) => ({ Svc: { ...ping, echo: (c: number) => (seen.push(c), c), current: () => (version === 2 ? 1 | 4 : 1) } }),
      async oldClientNewServer({ clients, clientModule }) {
        const caps = await clients["Svc"].current();
        expect(caps).toBe(5);
        expect(clientModule["capsNames"](caps)).toEqual(["read"]);
      },
      async newClientOldServer({ clients, clientModule, seen }) {
        const both = clientModule["Caps"].write | clientModule["Caps"].share;
        expect(await clients["Svc"].echo(both)).toBe(6);
        expect(seen).toEqual([6]);
      },
    },
    {
      kind: "closed-enum-value-added-inbound",
      v1: svc("    method choose(m: Mode) -> (ok: bool);\n", "@closed\nenum Mode : u8 { a = 0; b = 1; }\n\n"),
      v2: svc("    method choose(m: Mode) -> (ok: bool);\n", "@closed\nenum Mode : u8 { a = 0; b = 1; c = 2; }\n\n"),
      impl: (_version, seen) => ({ Svc: { ...ping, choose: (m: number) => (seen.push(m), true) } }),
      async oldClientNewServer({ clients, clientModule, seen }) {
        expect(await clients["Svc"].choose(clientModule["Mode"].b)).toBe(true);
        expect(seen).toEqual([1]);
      },
      async newClientOldServer({ clients, clientModule, seen }) {
        // The new value needs a new server, as a new method would: the old one answers with a typed error.
        const error = await ipcRejection(clients["Svc"].choose(clientModule["Mode"].c));
        expect(error.code).toBe("MessageValidationFailed");
        expect(await clients["Svc"].choose(clientModule["Mode"].a)).toBe(true);
        expect(seen).toEqual([0]);
      },
    },
    {
      kind: "enum-opened",
      v1: svc("    method choose(m: Mode) -> (m2: Mode);\n", "@closed\nenum Mode : u8 { a = 0; b = 1; }\n\n"),
      v2: svc("    method choose(m: Mode) -> (m2: Mode);\n", "enum Mode : u8 { a = 0; b = 1; }\n\n"),
      impl: (_version, seen) => ({ Svc: { ...ping, choose: (m: number) => (seen.push(m), m === 0 ? 1 : 0) } }),
      async oldClientNewServer({ clients, clientModule, seen }) {
        expect(await clients["Svc"].choose(clientModule["Mode"].a)).toBe(1);
        expect(seen).toEqual([0]);
      },
      async newClientOldServer({ clients, clientModule, seen }) {
        expect(await clients["Svc"].choose(clientModule["Mode"].b)).toBe(0);
        expect(seen).toEqual([1]);
      },
    },
  ];
}
