/**
 * The client side of D-Bus authentication (D-Bus specification,
 * "Authentication Protocol"): a NUL byte, then line-based SASL. We offer
 * EXTERNAL with our uid in hex (what every Unix bus accepts), fall back to
 * ANONYMOUS when the server lists it, ask for Unix fd passing with
 * NEGOTIATE_UNIX_FD where the transport can carry fds, then BEGIN.
 *
 * Every way this can go wrong ends quickly in an IPCError EndpointUnreachable
 * that says what happened: REJECTED with no mechanism left, a line that is
 * not the protocol (garbage, or too long), the peer closing, or no answer
 * within the timeout. Never a hang.
 */
import type { Socket } from "node:net";
import { IPCError } from "../errors.js";

/** What authentication established. */
export interface AuthResult {
  /** The server's GUID from its OK line. */
  readonly guid: string;
  /** True when the server agreed to pass Unix descriptors. */
  readonly unixFds: boolean;
  /** The mechanism that succeeded. */
  readonly mechanism: "EXTERNAL" | "ANONYMOUS";
}

/** Longest line accepted from the server: the protocol's lines are short. */
const MAX_LINE = 16 * 1024;

function hex(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}

/** Reads CRLF-terminated lines from a socket, one request at a time. */
class LineReader {
  #buf = "";
  #waiter: ((line: string | Error) => void) | undefined;
  #ended: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly what: string,
  ) {
    socket.setEncoding("latin1");
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("close", this.#onEnd);
    socket.on("error", this.#onError);
  }

  #onData = (chunk: string): void => {
    this.#buf += chunk;
    this.#deliver();
  };

  #onEnd = (): void => this.#fail(new IPCError("EndpointUnreachable", `${this.what}: the bus closed the connection during authentication`));

  #onError = (error: Error): void => this.#fail(new IPCError("EndpointUnreachable", `${this.what}: ${error.message}`, { cause: error }));

  #fail(error: Error): void {
    this.#ended ??= error;
    this.#deliver();
  }

  #deliver(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    const at = this.#buf.indexOf("\r\n");
    if (at >= 0) {
      this.#waiter = undefined;
      const line = this.#buf.slice(0, at);
      this.#buf = this.#buf.slice(at + 2);
      waiter(line);
    } else if (this.#buf.length > MAX_LINE) {
      this.#waiter = undefined;
      waiter(new IPCError("EndpointUnreachable", `${this.what}: the peer sent ${this.#buf.length} bytes without a line end; it does not speak the D-Bus authentication protocol`));
    } else if (this.#ended !== undefined) {
      this.#waiter = undefined;
      waiter(this.#ended);
    }
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#waiter = (line) => (typeof line === "string" ? resolve(line) : reject(line));
      this.#deliver();
    });
  }

  /** Bytes received after the last line (must be none: the server speaks only when spoken to). */
  get leftover(): number {
    return this.#buf.length;
  }

  detach(): void {
    this.socket.off("data", this.#onData);
    this.socket.off("end", this.#onEnd);
    this.socket.off("close", this.#onEnd);
    this.socket.off("error", this.#onError);
    this.socket.pause();
  }
}

/**
 * Authenticates on a freshly connected socket. `what` names the address in
 * messages. Resolves after BEGIN is sent: the next bytes on the socket are
 * D-Bus messages. Leaves the socket paused with no listeners of ours.
 */
export async function authenticate(socket: Socket, opts: { what: string; timeoutMs: number; negotiateFds: boolean }): Promise<AuthResult> {
  const lines = new LineReader(socket, opts.what);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new IPCError("EndpointUnreachable", `${opts.what}: no answer to D-Bus authentication within ${opts.timeoutMs} ms`, { context: { timeoutMs: opts.timeoutMs } })),
      opts.timeoutMs,
    );
  });
  const garbage = (line: string): IPCError =>
    new IPCError("EndpointUnreachable", `${opts.what}: unexpected answer during D-Bus authentication: ${JSON.stringify(line.slice(0, 80))}`, { context: { line: line.slice(0, 200) } });
  const exchange = async (): Promise<AuthResult> => {
    const uid = process.getuid?.() ?? 0;
    socket.write(`\0AUTH EXTERNAL ${hex(String(uid))}\r\n`);
    let mechanism: AuthResult["mechanism"] = "EXTERNAL";
    let line = await lines.next();
    if (line.startsWith("REJECTED")) {
      const offered = line.split(" ").slice(1);
      if (!offered.includes("ANONYMOUS")) {
        throw new IPCError("EndpointUnreachable", `${opts.what}: the bus rejected authentication as uid ${uid} (EXTERNAL); it offers ${offered.join(", ") || "nothing"}`, {
          context: { offered },
        });
      }
      mechanism = "ANONYMOUS";
      socket.write(`AUTH ANONYMOUS ${hex("novade-ipc")}\r\n`);
      line = await lines.next();
      if (line.startsWith("REJECTED")) throw new IPCError("EndpointUnreachable", `${opts.what}: the bus rejected authentication (EXTERNAL and ANONYMOUS)`);
    }
    const ok = /^OK ([0-9a-fA-F]{32})$/.exec(line);
    if (ok === null) throw garbage(line);
    let unixFds = false;
    if (opts.negotiateFds) {
      socket.write("NEGOTIATE_UNIX_FD\r\n");
      const answer = await lines.next();
      if (answer === "AGREE_UNIX_FD") unixFds = true;
      else if (!answer.startsWith("ERROR")) throw garbage(answer);
    }
    if (lines.leftover > 0) throw garbage("(bytes after the last answer)");
    // Wait until BEGIN has left: the caller takes the descriptor over from Node next.
    await new Promise<void>((resolve, reject) => socket.write("BEGIN\r\n", (error) => (error ? reject(garbage(String(error))) : resolve())));
    return { guid: ok[1]!, unixFds, mechanism };
  };
  try {
    return await Promise.race([exchange(), timeout]);
  } finally {
    clearTimeout(timer);
    lines.detach();
  }
}
