/**
 * Real `nova` processes for the bus CLI tests: run one to completion, or keep
 * one running and wait for the lines it prints (never sleep-and-hope), stop it
 * by its PID with a signal and get its exit code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { ensureBuilt } from "../transport/helpers.js";

/** The built CLI (`dist/bin/nova.js`), compiled first when stale. */
export function novaBin(): string {
  return ensureBuilt("bin/nova.js");
}

/** What a finished process left. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running process whose stdout and stderr are collected line by line. */
export class Proc {
  readonly out: string[] = [];
  readonly err: string[] = [];
  readonly exited: Promise<Finished>;
  private outText = "";
  private errText = "";
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess, readonly label: string) {
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      this.outText += s;
      this.split("out");
    });
    child.stderr!.setEncoding("utf8").on("data", (s: string) => {
      this.errText += s;
      this.split("err");
    });
    this.exited = new Promise((resolve) => {
      child.once("close", (code, signal) => {
        this.wake();
        resolve({ code, signal, stdout: this.out.map((l) => l + "\n").join("") + this.outText, stderr: this.err.map((l) => l + "\n").join("") + this.errText });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until `check()` holds, re-checked whenever a line arrives; fails when the process exits first or after `ms`. */
  async until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.label}: timed out waiting for ${what}\nstdout:\n${this.out.join("\n")}\nstderr:\n${this.err.join("\n")}`)), ms);
      const waiter = (): void => {
        if (check()) done();
        else if (!this.running && this.child.stdout!.readableEnded) done(new Error(`${this.label} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}\nstderr:\n${this.err.join("\n")}`));
      };
      const done = (error?: Error): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /** Waits for the `n`-th stdout line (1-based) and returns it. */
  async outLine(n: number): Promise<string> {
    await this.until(() => this.out.length >= n, `stdout line ${n}`);
    return this.out[n - 1]!;
  }

  /** Waits for a stderr line matching `re` and returns it. */
  async errLine(re: RegExp): Promise<string> {
    await this.until(() => this.err.some((l) => re.test(l)), `a stderr line matching ${re}`);
    return this.err.find((l) => re.test(l))!;
  }

  /** Writes to its stdin. */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Sends `signal` to its PID and waits for it to exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<Finished> {
    if (this.running) process.kill(this.pid, signal);
    return this.exited;
  }

  private split(which: "out" | "err"): void {
    let text = which === "out" ? this.outText : this.errText;
    const lines = which === "out" ? this.out : this.err;
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      lines.push(text.slice(0, nl));
      text = text.slice(nl + 1);
    }
    if (which === "out") this.outText = text;
    else this.errText = text;
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Starts `node dist/bin/nova.js ...args` (stdin piped). */
export function startNova(args: readonly string[], label = `nova ${args[0]}`): Proc {
  return new Proc(spawn(process.execPath, [novaBin(), ...args], { stdio: ["pipe", "pipe", "pipe"] }), label);
}

/** Starts `node script ...args` (stdin piped). */
export function startNode(script: string, args: readonly string[], label = script): Proc {
  return new Proc(spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] }), label);
}

/** Runs `nova ...args` to completion with `input` on stdin. */
export async function runNova(args: readonly string[], input = ""): Promise<Finished> {
  const p = startNova(args);
  p.child.stdin!.end(input);
  return p.exited;
}

/** Starts `nova bus --socket <socket> ...extra` and waits for its first stdout line (the socket path). */
export async function startBus(socket: string, extra: readonly string[] = []): Promise<Proc> {
  const bus = startNova(["bus", "--socket", socket, ...extra], "nova bus");
  bus.child.stdin!.end();
  await bus.outLine(1);
  return bus;
}

/** Starts `nova listen ...args` and waits for its readiness line on stderr. */
export async function startListen(args: readonly string[], label = "nova listen"): Promise<Proc> {
  const p = startNova(["listen", ...args], label);
  p.child.stdin!.end();
  await p.errLine(/^listening /);
  return p;
}
