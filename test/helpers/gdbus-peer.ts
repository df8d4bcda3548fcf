/**
 * A GDBus service (python3-gi, test/helpers/gdbus-peer.py) as the independent D-Bus peer of the
 * interop tests: it serves any interface from its introspection XML on a private bus, answers
 * methods as scripted, logs every call with GLib's own decoding of the arguments, and emits
 * signals and PropertiesChanged on request. Neither its marshalling nor its auth is ours, so a
 * test against it shows our D-Bus code agrees with GLib.
 *
 * It runs under Debian's /usr/bin/python3 (where python3-gi lives); a missing interpreter or gi
 * module fails with the Debian package to install (system-deps.ts), never a skip.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { debianPackageFor, missingDependency, requirePath } from "./system-deps.js";

/** How one method answers (keyed by `Iface.Member` or `Member` in {@link GdbusPeerScript.methods}). */
export type GdbusMethodRule =
  /** Reply with these values: GVariant text of the out-signature tuple, e.g. `"(int32 5, 'x')"`. */
  | { readonly return: string }
  /** Reply with this D-Bus error. */
  | { readonly error: string; readonly message?: string }
  /** Reply with the call's own arguments and fds (in and out signatures must match). */
  | { readonly echo: true };

/** The scripted behaviour. Unscripted methods echo when their in and out signatures are equal, else fail with `org.novade.Test.Error.NotScripted`. */
export interface GdbusPeerScript {
  readonly methods?: Readonly<Record<string, GdbusMethodRule>>;
  /** Initial property values, `Iface.Prop` or `Prop` → GVariant text (`"uint32 3"`). */
  readonly properties?: Readonly<Record<string, string>>;
}

/** Options of {@link startGdbusPeer}. */
export interface GdbusPeerOptions {
  /** The private bus (test/helpers/dbus-daemon.ts). */
  readonly address: string;
  /** The well-known name to own (DO_NOT_QUEUE: already owned → the start fails). */
  readonly name: string;
  readonly path: string;
  /** Introspection XML: every interface in it is served at `path`. */
  readonly xml: string;
  readonly script?: GdbusPeerScript;
  /** How long to wait for READY (default 15 s). */
  readonly timeoutMs?: number;
}

/** A running GDBus peer. */
export interface GdbusPeer {
  readonly pid: number;
  /** Its unique connection name (`:1.N`). */
  readonly uniqueName: string;
  /** Every line it printed so far (READY, CALL, SET, EMITTED …). */
  readonly lines: readonly string[];
  /** The CALL lines: `CALL <sender> <iface>.<member> <args in GVariant text>`. */
  calls(): string[];
  /** The next line from the read position on that matches `pattern` (the position moves past it). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Emits a signal (broadcast); `args` is a GVariant tuple text such as `"(uint32 7,)"`. Resolves once flushed. */
  emit(path: string, iface: string, member: string, args: string): Promise<void>;
  /** Changes a property and emits PropertiesChanged; `value` in GVariant text. */
  setProperty(iface: string, prop: string, value: string): Promise<void>;
  /** SIGTERM by PID (SIGKILL after 3 s) and waits for the exit. Idempotent. */
  stop(): Promise<void>;
}

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "gdbus-peer.py");

/** Starts the peer and resolves once it owns `name` (its READY line). */
export async function startGdbusPeer(options: GdbusPeerOptions): Promise<GdbusPeer> {
  requirePath(PYTHON);
  const child = spawn(
    PYTHON,
    [SCRIPT, "--address", options.address, "--name", options.name, "--path", options.path, "--xml", options.xml, "--script", JSON.stringify(options.script ?? {})],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  // A failed spawn or a write after the peer died: the waits below report them with its stderr.
  child.once("error", () => undefined);
  child.stdin!.on("error", () => undefined);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  let position = 0;
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const w of waiters) w();
  });
  child.once("close", () => {
    for (const w of waiters) w();
  });

  const failure = (what: string): Error => {
    const module = /No module named '([\w.]+)'/.exec(stderr)?.[1]?.split(".")[0];
    if (module !== undefined) return missingDependency(`python module ${module}`, debianPackageFor(`python3:${module}`));
    return new Error(`gdbus-peer ${what}; stderr: ${stderr.trim()}`);
  };

  const waitFor = (pattern: RegExp, timeoutMs = 15_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        for (let i = position; i < lines.length; i++) {
          if (pattern.test(lines[i]!)) {
            position = i + 1;
            done();
            resolve(lines[i]!);
            return;
          }
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(failure(`exited (${child.signalCode ?? child.exitCode}) before printing ${pattern}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(failure(`printed no line matching ${pattern} within ${timeoutMs} ms (lines: ${JSON.stringify(lines.slice(position))})`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const command = async (line: string, reply: RegExp): Promise<void> => {
    child.stdin!.write(`${line}\n`);
    const answer = await waitFor(new RegExp(`${reply.source}|^ERROR `));
    if (answer.startsWith("ERROR ")) throw new Error(`gdbus-peer refused ${JSON.stringify(line)}: ${answer}`);
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, "SIGTERM");
        const kill = setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), 3000);
        kill.unref();
        await exited;
        clearTimeout(kill);
      }
    }
    await exited;
  };

  try {
    const ready = await waitFor(/^(READY|LOST) /, options.timeoutMs);
    if (ready.startsWith("LOST")) throw new Error(`gdbus-peer could not own ${options.name} (already owned?)`);
    return {
      pid: child.pid!,
      uniqueName: ready.slice("READY ".length),
      lines,
      calls: () => lines.filter((l) => l.startsWith("CALL ")),
      waitFor,
      emit: (path, iface, member, args) => command(`emit ${path} ${iface} ${member} ${args}`, new RegExp(`^EMITTED ${escape(iface)}\\.${escape(member)}$`)),
      setProperty: (iface, prop, value) => command(`set ${iface} ${prop} ${value}`, /^OK$/),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
