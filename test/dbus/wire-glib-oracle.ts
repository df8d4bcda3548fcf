/**
 * GLib (through python3-gi) as an independent D-Bus codec: ONE long-lived
 * /usr/bin/python3 process running wire-glib-oracle.py, fed one JSON request per
 * line. Requests are answered in order, so a FIFO of pending promises matches
 * answers to requests.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requirePath } from "../helpers/system-deps.js";

/** One answer of wire-glib-oracle.py. */
export interface OracleAnswer {
  ok: boolean;
  error?: string;
  blob?: string;
  print?: string;
  signature?: string;
  type?: number;
  serial?: number;
  flags?: number;
  path?: string | null;
  interface?: string | null;
  member?: string | null;
  error_name?: string | null;
  reply_serial?: number;
  destination?: string | null;
  sender?: string | null;
  nfds?: number;
}

/** The running oracle process. */
export class GlibOracle {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending: { resolve: (a: OracleAnswer) => void; reject: (e: Error) => void }[] = [];
  #stderr = "";

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    createInterface({ input: child.stdout }).on("line", (line) => this.#pending.shift()?.resolve(JSON.parse(line) as OracleAnswer));
    child.stderr.on("data", (d: Buffer) => (this.#stderr += d.toString()));
    child.on("exit", (code) => {
      for (const p of this.#pending.splice(0)) p.reject(new Error(`wire-glib-oracle.py exited (${code}): ${this.#stderr}`));
    });
  }

  /** Starts the oracle; a missing python3 fails naming its Debian package (python3-gi's is named by the first answer's error). */
  static start(): GlibOracle {
    const python = requirePath("/usr/bin/python3");
    const script = join(dirname(fileURLToPath(import.meta.url)), "wire-glib-oracle.py");
    return new GlibOracle(spawn(python, [script], { stdio: ["pipe", "pipe", "pipe"] }));
  }

  /** Sends one request and waits for its answer. */
  ask(request: Record<string, unknown>): Promise<OracleAnswer> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Text written to stderr so far (a missing `gi` module shows up here). */
  get stderr(): string {
    return this.#stderr;
  }

  /** Ends the process (by closing its stdin, then by its PID) and waits for it. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((r) => this.#child.once("exit", r));
    this.#child.stdin.end();
    const timer = setTimeout(() => process.kill(this.#child.pid!, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
