/**
 * Generated stubs run unchanged on every transport: the demo's generated
 * CalculatorClient and registerCalculator skeleton (examples/demo/generated)
 * over real unix and pipe channels.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRpc, serveRpc, type RpcEndpoint } from "../../runtime/rpc/connect.js";
import type { RpcClient } from "../../runtime/rpc/rpc-client.js";
import { IPCError } from "../../runtime/errors.js";
import type { TransportType } from "../../runtime/transport/types.js";
import { CalculatorClient, CalculatorEmitter, DivisionByZero, registerCalculator, type Entry } from "../../examples/demo/generated/org.novade.demo.js";
import { createCalculator } from "../../examples/demo/calculator-service.js";
import { endpointIn, makeTempDir, removeDir } from "../transport/helpers.js";

describe.each<TransportType>(["unix", "pipe", "shm"])("generated stubs over %s", (transport) => {
  let dir: string;
  let served: RpcEndpoint;
  let connection: RpcClient;
  let calc: CalculatorClient;

  beforeAll(async () => {
    dir = makeTempDir();
    served = await serveRpc(endpointIn(dir, transport), { transport });
    registerCalculator(served.server, createCalculator(new CalculatorEmitter(served.server)));
    connection = await connectRpc(served.listener.endpoint, { transport });
    calc = new CalculatorClient(connection);
  });
  afterAll(async () => {
    await connection.close(false).catch(() => undefined);
    await served.close(false).catch(() => undefined);
    removeDir(dir);
  });

  it("calls methods, with promises and callbacks", async () => {
    expect(await calc.add(2, 3)).toBe(5);
    expect(await calc.echo("x".repeat(64))).toBe("x".repeat(64));
    const viaCallback = await new Promise((resolve, reject) => calc.addCallback(1, 2, (e, v) => (e ? reject(e) : resolve(v))));
    expect(viaCallback).toBe(3);
  });

  it("turns a declared error back into the generated error class", async () => {
    const error = await calc.divide(9, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivisionByZero);
    expect((error as DivisionByZero).data).toEqual({ dividend: 9 });
  });

  it("times out and cancels calls", async () => {
    const timedOut = await calc.slow(5000, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(IPCError);
    expect((timedOut as IPCError).code).toBe("TimeoutExpired");
    const controller = new AbortController();
    const pending = calc.slow(5000, { signal: controller.signal });
    controller.abort();
    expect(((await pending.catch((e: unknown) => e)) as IPCError).code).toBe("Cancelled");
  });

  it("delivers signals and property changes; oneway calls arrive in order", async () => {
    const entries: Entry[] = [];
    const counts: number[] = [];
    const off1 = calc.onComputed((e) => entries.push(e));
    const off2 = calc.observeCountProperty((v) => counts.push(v));
    calc.reset();
    await calc.add(1, 1);
    await calc.add(2, 2);
    expect(await calc.history()).toEqual([
      { op: "add", result: 2 },
      { op: "add", result: 4 },
    ]);
    expect(await calc.getCountProperty()).toBe(2);
    expect(entries).toEqual([
      { op: "add", result: 2 },
      { op: "add", result: 4 },
    ]);
    expect(counts).toEqual([0, 1, 2]);
    off1();
    off2();
  });
});
