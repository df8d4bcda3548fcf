/**
 * The `pipe` transport: every channel is a pair of FIFOs, one per direction.
 *
 * Rendezvous (many clients, one server; see runtime/transport/README.md):
 * 1. The server creates the endpoint FIFO `E` (0600) and keeps it open
 *    read-write, so it never sees end-of-file between clients.
 * 2. A client makes a private 0700 directory `D` holding FIFOs `D/c2s` and
 *    `D/s2c`, opens `c2s` read-write (its write end), `s2c` read-only plus a
 *    temporary read-write "hold" on `s2c` (so its reader sees no EOF before
 *    the server has opened the other end), and writes the line
 *    `NOVA-PIPE/1 <D>\n` into `E`. Lines are shorter than PIPE_BUF, so the
 *    kernel never interleaves two clients' lines.
 * 3. The server opens `c2s` read-only and `s2c` write-only (checked to be
 *    FIFOs, never following symlinks) and writes one byte: ACK (0x06), or
 *    NAK (0x15) when it holds its maximum of connections.
 * 4. On ACK the client drops its hold and unlinks `D`; from then on each side
 *    is the only writer of the FIFO the other reads, so a peer that exits or
 *    crashes shows up as end-of-file, exactly like a closed socket.
 * A FIFO `E` that exists but has no reader (ENXIO) is stale and replaced.
 */
import { lstatSync, mkdtempSync, rmSync, unlinkSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import type { Socket } from "node:net";
import { IPCError } from "../errors.js";
import { resolveEndpoint } from "./endpoint.js";
import { closeQuietly } from "./descriptors.js";
import { fifoSocket, makeFifos, openFifo } from "./fifo.js";
import { SocketReader } from "./socket-reader.js";
import { ListenerBase } from "./listener-base.js";
import { socketLink } from "./byte-link.js";
import { resolveChannelOptions, StreamChannel, type ResolvedChannelOptions } from "./stream-channel.js";
import { TRANSPORT_DEFAULTS, type Channel, type ChannelOptions, type Listener, type ListenerOptions } from "./types.js";

const ACK = 0x06;
const NAK = 0x15;
const RECORD_PREFIX = "NOVA-PIPE/1 ";
/** PIPE_BUF on Linux: writes up to this size are atomic. */
const PIPE_BUF = 4096;

/** Writes one rendezvous line into the endpoint FIFO, retrying while it is full. */
async function writeRecord(path: string, line: string, deadline: number): Promise<void> {
  let fd: number;
  try {
    fd = openFifo(path, "write");
  } catch (cause) {
    if (cause instanceof IPCError) throw cause;
    const errno = (cause as NodeJS.ErrnoException).code;
    throw new IPCError("EndpointUnreachable", `no server on ${path} (${errno})`, { cause, context: { endpoint: path, errno } });
  }
  try {
    const bytes = Buffer.from(line);
    for (;;) {
      try {
        writeSync(fd, bytes);
        return;
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== "EAGAIN" || Date.now() > deadline) {
          throw new IPCError("EndpointUnreachable", `cannot reach server on ${path}: ${(cause as Error).message}`, { cause, context: { endpoint: path } });
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Waits for the server's one-byte answer on `input` (read through `reader`); later bytes stay in the reader. */
function awaitAnswer(input: Socket, reader: SocketReader, path: string, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const finish = (error: IPCError | undefined, value = 0): void => {
      clearTimeout(timer);
      reader.detach();
      input.removeListener("end", onEnd);
      input.removeListener("error", onEnd);
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Uint8Array): void => {
      if (chunk.length === 0) return;
      if (chunk.length > 1) reader.keep(chunk.subarray(1));
      finish(undefined, chunk[0]);
    };
    const onEnd = (): void => finish(new IPCError("ChannelClosed", `server on ${path} closed during the handshake`, { context: { endpoint: path } }));
    const timer = setTimeout(
      () => finish(new IPCError("TimeoutExpired", `server on ${path} did not answer within ${timeoutMs} ms`, { context: { endpoint: path, timeoutMs } })),
      timeoutMs,
    );
    reader.attach(onData);
    input.once("end", onEnd);
    input.once("error", onEnd);
    // 'end' needs a flowing stream; the bytes themselves go to the reader.
    input.resume();
  });
}

/** Client side of the pipe transport (spec create_channel). */
export async function connectPipe(endpoint: string, options: ChannelOptions = {}): Promise<Channel> {
  const opts = resolveChannelOptions(options);
  const path = resolveEndpoint(endpoint, "pipe");
  const deadline = Date.now() + opts.timeoutMs;
  const dir = mkdtempSync(join(tmpdir(), "nova-pipe-"));
  const c2s = join(dir, "c2s");
  const s2c = join(dir, "s2c");
  let hold: number | undefined;
  const reader = new SocketReader();
  let input: Socket | undefined;
  let output: Socket | undefined;
  try {
    await makeFifos([c2s, s2c]);
    output = fifoSocket(openFifo(c2s, "readwrite"), "write");
    input = fifoSocket(openFifo(s2c, "read"), "read", reader);
    hold = openFifo(s2c, "readwrite");
    const answer = awaitAnswer(input, reader, path, opts.timeoutMs);
    await writeRecord(path, `${RECORD_PREFIX}${dir}\n`, deadline).catch((error: unknown) => {
      answer.catch(() => undefined);
      throw error;
    });
    const byte = await answer;
    if (byte !== ACK) {
      throw new IPCError(byte === NAK ? "InsufficientResources" : "ProtocolError", `server on ${path} refused the connection`, {
        context: { endpoint: path, answer: byte },
      });
    }
  } catch (error) {
    input?.destroy();
    output?.destroy();
    throw error;
  } finally {
    closeQuietly(hold);
    rmSync(dir, { recursive: true, force: true });
  }
  return new StreamChannel({ transport: "pipe", endpoint: path, link: socketLink(input!, output!, reader), options: opts });
}

/** Removes a stale endpoint FIFO, or fails when it is not a FIFO or a server still reads it. */
function clearStaleFifo(path: string): void {
  let isFifo: boolean;
  try {
    isFifo = lstatSync(path).isFIFO();
  } catch {
    return;
  }
  if (!isFifo) throw new IPCError("InvalidEndpointName", `${path} exists and is not a FIFO`, { context: { endpoint: path } });
  let fd: number | undefined;
  try {
    fd = openFifo(path, "write");
  } catch {
    unlinkSync(path); // ENXIO: nobody reads it, a dead server's leftover
    return;
  }
  closeQuietly(fd);
  throw new IPCError("InvalidEndpointName", `another server is live on ${path}`, { context: { endpoint: path } });
}

/** The server side: reads rendezvous lines and opens each client's FIFO pair. */
class PipeListener extends ListenerBase {
  private pendingText = "";

  constructor(
    endpoint: string,
    private readonly rendezvous: Socket,
    opts: ResolvedChannelOptions,
    maxConnections: number,
  ) {
    super("pipe", endpoint, opts, maxConnections);
    rendezvous.setEncoding("utf8");
    rendezvous.on("data", (text: string) => this.onText(text));
    rendezvous.on("error", () => undefined);
  }

  private onText(text: string): void {
    this.pendingText += text;
    let newline: number;
    while ((newline = this.pendingText.indexOf("\n")) >= 0) {
      const line = this.pendingText.slice(0, newline);
      this.pendingText = this.pendingText.slice(newline + 1);
      if (line.startsWith(RECORD_PREFIX)) this.acceptClient(line.slice(RECORD_PREFIX.length));
    }
    // A garbage writer cannot make us buffer without limit.
    if (this.pendingText.length > PIPE_BUF) this.pendingText = "";
  }

  private acceptClient(dir: string): void {
    if (!dir.startsWith("/")) return;
    let input: Socket | undefined;
    let outFd: number | undefined;
    const reader = new SocketReader();
    try {
      const inFd = openFifo(join(dir, "c2s"), "read");
      input = fifoSocket(inFd, "read", reader);
      outFd = openFifo(join(dir, "s2c"), "write");
    } catch {
      input?.destroy();
      return; // the client went away or sent a bogus record
    }
    const output = fifoSocket(outFd, "write");
    if (!this.admit()) {
      output.end(Buffer.of(NAK));
      input.destroy();
      return;
    }
    output.write(Buffer.of(ACK));
    this.accept(new StreamChannel({ transport: "pipe", endpoint: this.endpoint, link: socketLink(input, output, reader), options: this.channelOptions }));
  }

  protected async stopAccepting(): Promise<void> {
    this.rendezvous.destroy();
    try {
      unlinkSync(this.endpoint);
    } catch {
      // Already gone.
    }
  }
}

/** Server side of the pipe transport. */
export async function listenPipe(endpoint: string, options: ListenerOptions = {}): Promise<Listener> {
  const opts = resolveChannelOptions(options);
  const path = resolveEndpoint(endpoint, "pipe", true);
  clearStaleFifo(path);
  await makeFifos([path]);
  const rendezvous = fifoSocket(openFifo(path, "readwrite"), "read");
  return new PipeListener(path, rendezvous, opts, options.maxConnections ?? TRANSPORT_DEFAULTS.maxConnections);
}
