/**
 * A Unix listener written in Python (/usr/bin/python3), not by us: it binds
 * a path or an abstract name of exact length (as dbus-daemon does; Node's
 * net pads abstract names) with listen(0), and behaves as `mode` says:
 * - "hello": accepts one connection, sends "hello", closes it;
 * - "full": connects to itself once so the backlog is full, never accepts;
 * - "full-then-reject": the same for `fullMs`, then answers each connection's
 *   first bytes with the SASL line "REJECTED" and closes it (a bus that
 *   rejects every client, reached only through a retried connect).
 * Stopped by its PID through the returned function.
 */
import { spawn } from "node:child_process";
import { requirePath } from "./system-deps.js";

const SCRIPT = `
import socket, sys, time
a = sys.argv[1].replace('\\\\0', '\\0', 1) if sys.argv[1].startswith('\\\\0') else sys.argv[1]
mode = sys.argv[2]
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); l.bind(a); l.listen(0)
if mode != 'hello':
  s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(a)
print('ready', flush=True)
if mode == 'hello':
  c, _ = l.accept(); c.sendall(b'hello'); c.close()
elif mode == 'full-then-reject':
  time.sleep(float(sys.argv[3]) / 1000)
  s.close()
  while True:
    c, _ = l.accept()
    if c.recv(4096): c.sendall(b'REJECTED\\r\\n')
    c.close()
time.sleep(600)
`;

/** Starts the listener on `address` (a path, or "\0name" for an abstract name); resolves once it listens, to its stopper. */
export async function pythonUnixListener(address: string, mode: "hello" | "full" | "full-then-reject", fullMs = 0): Promise<() => Promise<void>> {
  const python = requirePath("/usr/bin/python3");
  const arg = address.startsWith("\0") ? `\\0${address.slice(1)}` : address;
  const child = spawn(python, ["-c", SCRIPT, arg, mode, String(fullMs)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGTERM");
    await exited;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the python listener exited with ${code}`)));
      child.stdout.once("data", () => resolve());
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
