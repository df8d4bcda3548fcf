/**
 * A standalone RPC server process for the RPC benchmarks and the transport
 * tests (peer crash, separate-process round trips):
 *
 *   node dist/test/bench/rpc-peer.js <transport> <endpoint> [<transport> <endpoint>]...
 *
 * where <transport> is unix, pipe or shm, optionally with channel options as
 * `shm:spinUs=20` (numeric ChannelOptions fields, comma-separated): the shm
 * bench serves several endpoints from one process, so that its series share
 * one server process.
 *
 * Serves the generated `org.novade.demo.Calculator` skeleton (examples/demo)
 * and the hand-written `nova.bench.Echo` service, prints `ready <pid>` on stdout,
 * and runs until it gets SIGTERM/SIGINT (clean close) or SIGKILL (the crash
 * tests); callers stop it by PID.
 */
import { serveRpc, type RpcEndpoint } from "../../runtime/rpc/connect.js";
import { IPCError } from "../../runtime/errors.js";
import type { ServiceDefinition } from "../../runtime/rpc/contract.js";
import { TRANSPORT_TYPES, type TransportType } from "../../runtime/transport/types.js";
import { CalculatorEmitter, registerCalculator } from "../../examples/demo/generated/org.novade.demo.js";
import { createCalculator } from "../../examples/demo/calculator-service.js";

/** The benchmark/test service, as a generated skeleton would register it. */
export const ECHO_IFACE = "nova.bench.Echo";

let sinkCount = 0;

/** The service definition served by this process. */
export const echoService: ServiceDefinition = {
  iface: ECHO_IFACE,
  version: 1,
  methods: {
    echo: { handler: (args) => args[0] },
    /** Never answers: for timeouts, cancellation and crash tests. */
    hang: { handler: () => new Promise(() => undefined) },
    fail: {
      handler: (args) => {
        throw new IPCError("InvalidArgument", `fail(${String(args[0])})`, { context: { arg: args[0] } });
      },
    },
    /** Oneway sink: counts what arrives. */
    sink: { oneway: true, handler: () => void sinkCount++ },
    sinkCount: { handler: () => sinkCount },
    pid: { handler: () => process.pid },
  },
};

/** `unix`, `pipe`, `shm`, optionally followed by `:name=N,...` numeric channel options. */
function parseTransport(text: string): { transport: TransportType; options: Record<string, number> } | undefined {
  const [name, list] = text.split(":", 2);
  if (!(TRANSPORT_TYPES as readonly string[]).includes(name)) return undefined;
  const options: Record<string, number> = {};
  for (const pair of list === undefined ? [] : list.split(",")) {
    const [key, value] = pair.split("=");
    if (!key || !Number.isFinite(Number(value))) return undefined;
    options[key] = Number(value);
  }
  return { transport: name as TransportType, options };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const specs = Array.from({ length: args.length / 2 }, (_, i) => ({ spec: parseTransport(args[2 * i]), endpoint: args[2 * i + 1] }));
  if (args.length === 0 || args.length % 2 !== 0 || specs.some((s) => s.spec === undefined)) {
    process.stderr.write("usage: rpc-peer <unix|pipe|shm>[:option=N,...] <endpoint> [...]\n");
    process.exit(2);
  }
  // NOVA_SHM_SPIN_US: the shm transport's opt-in spin for endpoints that do not set spinUs themselves.
  const defaultSpinUs = Number(process.env.NOVA_SHM_SPIN_US ?? 0);
  const served: RpcEndpoint[] = [];
  for (const { spec, endpoint } of specs) {
    const one = await serveRpc(endpoint, {
      spinUs: defaultSpinUs,
      ...spec!.options,
      transport: spec!.transport,
      bufferSize: 1_048_576,
      detectCycles: process.env.NOVA_NO_CYCLES !== "1",
    });
    one.server.register(echoService);
    registerCalculator(one.server, createCalculator(new CalculatorEmitter(one.server)));
    served.push(one);
  }
  process.stdout.write(`ready ${process.pid}\n`);
  const stop = (): void => {
    void Promise.allSettled(served.map((s) => s.close(false))).finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  main().catch((error: unknown) => {
    process.stderr.write(`rpc-peer: ${String(error)}\n`);
    process.exit(1);
  });
}
