/**
 * The demo client process: connects to the server over a Unix socket and
 * drives the generated `CalculatorClient`: plain calls, a callback, a signal
 * and a property subscription, a oneway call, a declared error and a timeout.
 * Prints one readable line per step; exits 1 if anything behaved unexpectedly.
 *
 *   node dist/examples/demo/client.js <endpoint>
 */
import { isIPCError } from "../../runtime/errors.js";
import { connectRpc } from "../../runtime/rpc/connect.js";
import { CalculatorClient, DivisionByZero, type Entry } from "./generated/org.novade.demo.js";

let failures = 0;

function show(step: string, outcome: string): void {
  process.stdout.write(`  ${step.padEnd(36)} ${outcome}\n`);
}

function expectThat(ok: boolean, what: string): void {
  if (!ok) {
    failures++;
    show("UNEXPECTED", what);
  }
}

async function main(): Promise<void> {
  const endpoint = process.argv[2];
  if (!endpoint) {
    process.stderr.write("usage: client <endpoint>\n");
    process.exit(2);
  }
  const connection = await connectRpc(endpoint, { transport: "unix" });
  const calc = new CalculatorClient(connection);
  const computed: Entry[] = [];
  const counts: number[] = [];
  const offComputed = calc.onComputed((entry) => computed.push(entry));
  const offCount = calc.observeCountProperty((value) => counts.push(value));

  calc.reset();
  show("reset()  [oneway]", "sent, no reply awaited");

  const sum = await calc.add(2, 3);
  show("add(2, 3)", `= ${sum}`);
  expectThat(sum === 5, "add(2, 3) should be 5");

  const text = await calc.echo("hello, NovaDE");
  show('echo("hello, NovaDE")', `= ${JSON.stringify(text)}`);

  const viaCallback = await new Promise<number>((resolve, reject) => calc.addCallback(40, 2, (e, v) => (e ? reject(e) : resolve(v!))));
  show("addCallback(40, 2)  [callback]", `= ${viaCallback}`);
  expectThat(viaCallback === 42, "addCallback(40, 2) should be 42");

  const quotient = await calc.divide(1, 4);
  show("divide(1, 4)", `= ${quotient}`);

  try {
    await calc.divide(7, 0);
    expectThat(false, "divide(7, 0) should throw DivisionByZero");
  } catch (error) {
    const ok = error instanceof DivisionByZero;
    show("divide(7, 0)  [declared error]", ok ? `threw ${error.name} { dividend: ${error.data.dividend} }: ${error.message}` : `threw ${String(error)}`);
    expectThat(ok, "divide(7, 0) should throw the generated DivisionByZero class");
  }

  const started = Date.now();
  try {
    await calc.slow(3000, { timeoutMs: 200 });
    expectThat(false, "slow(3000) with a 200 ms timeout should time out");
  } catch (error) {
    const ok = isIPCError(error, "TimeoutExpired");
    show("slow(3000), timeout 200 ms", `${ok ? "IPCError[TimeoutExpired]" : String(error)} after ${Date.now() - started} ms`);
    expectThat(ok, "slow(3000) should fail with TimeoutExpired");
  }

  const history = await calc.history();
  show("history()", history.map((e) => `${e.op}=${e.result}`).join(", "));
  expectThat(history.length === 3, "history should hold 3 entries");

  const count = await calc.getCountProperty();
  show("count  [property]", `= ${count}`);

  show("computed  [signal, received]", computed.map((e) => `${e.op}=${e.result}`).join(", "));
  show("count changes  [observed]", counts.join(" -> "));
  expectThat(computed.length === 3, "3 computed signals should have arrived");

  offComputed();
  offCount();
  await connection.close(true);
  if (failures > 0) {
    process.stdout.write(`client: ${failures} unexpected outcome(s)\n`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo client: ${String(error)}\n`);
  process.exit(1);
});
