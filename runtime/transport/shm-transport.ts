/**
 * The `shm` transport: a Unix-socket handshake hands the server a memfd
 * holding two byte rings (one per direction) and the client's doorbell
 * eventfd; the server answers with its own doorbell. From then on frames go
 * through shared memory only (shm-link.ts) and the socket is the liveness
 * line. The handshake (runtime/transport/README.md "shm"):
 *
 *   client -> server: "NOVASHM1" u32le ringBytes u32le flags(0), SCM_RIGHTS [memfd, client doorbell]
 *   server -> client: "NOVASHM1" u32le status u32le 0,           SCM_RIGHTS [server doorbell] (status 0 only)
 *
 * status: 0 accepted, 1 refused (the server holds its maximum of
 * connections: InsufficientResources), 2 malformed hello. The ring for
 * client -> server starts at the region's first usable byte, the ring for
 * server -> client at `ringOffset(ringBytes)` after it; the server checks
 * both ring headers before it accepts (a corrupt region is refused, never
 * mapped past its end).
 */
import { readlinkSync } from "node:fs";
import { constants } from "node:os";
import type { Server, Socket } from "node:net";
import { callNativeShm, nativeShm, nativeSockets } from "../../native/index.js";
import { IPCError } from "../errors.js";
import { SpscByteRing } from "../shm/byte-ring.js";
import { createAnonymousRegion, openRegionFromFd, type SharedRegion } from "../shm/region.js";
import { resolveEndpoint } from "./endpoint.js";
import { closeFds, takeDescriptor } from "./descriptors.js";
import { ListenerBase } from "./listener-base.js";
import { ShmLink } from "./shm-link.js";
import { resolveChannelOptions, StreamChannel, type ResolvedChannelOptions } from "./stream-channel.js";
import { TRANSPORT_DEFAULTS, type Channel, type ChannelOptions, type Listener, type ListenerOptions } from "./types.js";
import { closeSocketServer, connectSocket, openSocketServer } from "./unix-transport.js";

const MAGIC = "NOVASHM1";
/** The TransportNotSupported message when the addon is missing (shared memory has no fallback). */
const NO_ADDON = "the shm transport needs the native addon (npm run build:native)";
const HELLO_BYTES = 16;
/** Default bytes of each ring (1 MiB: ~16k small frames in flight). */
export const DEFAULT_SHM_RING_BYTES = 1024 * 1024;
const MIN_RING = 4096;
const MAX_RING = 256 * 1024 * 1024;

function resolveShm(options: ChannelOptions): { ringBytes: number; spinUs: number } {
  const ringBytes = options.shmRingBytes ?? DEFAULT_SHM_RING_BYTES;
  if (!Number.isInteger(ringBytes) || ringBytes < MIN_RING || ringBytes > MAX_RING || (ringBytes & (ringBytes - 1)) !== 0) {
    throw new IPCError("InvalidArgument", `shmRingBytes must be a power of two in ${MIN_RING}..${MAX_RING}, got ${ringBytes}`, { context: { ringBytes } });
  }
  const spinUs = options.spinUs ?? 0;
  if (!(spinUs >= 0 && spinUs <= 1_000_000)) throw new IPCError("InvalidArgument", `spinUs must be in 0..1000000, got ${spinUs}`, { context: { spinUs } });
  return { ringBytes, spinUs };
}

/** Where the server -> client ring starts, relative to the first usable byte (cache-line aligned). */
function ringOffset(ringBytes: number): number {
  return Math.ceil(SpscByteRing.bytesFor(ringBytes) / 64) * 64;
}

function hello(status: number, ringBytes: number): Uint8Array {
  const b = new Uint8Array(HELLO_BYTES);
  b.set(Buffer.from(MAGIC, "latin1"));
  const v = new DataView(b.buffer);
  v.setUint32(8, ringBytes, true);
  v.setUint32(12, status, true);
  return b;
}

/** Waits for one handshake message on `fd` (with its descriptors), up to `timeoutMs`. */
function receiveHandshake(fd: number, timeoutMs: number, what: string): Promise<{ bytes: Uint8Array; fds: number[] }> {
  const native = nativeShm();
  const buf = new Uint8Array(HELLO_BYTES);
  return new Promise((resolve, reject) => {
    let watch = 0;
    const finish = (error: IPCError | undefined, value?: { bytes: Uint8Array; fds: number[] }): void => {
      clearTimeout(timer);
      if (watch !== 0) native.unwatchFd(watch);
      watch = 0;
      if (error !== undefined) reject(error);
      else resolve(value!);
    };
    const timer = setTimeout(
      () => finish(new IPCError("TimeoutExpired", `the shm handshake (${what}) took longer than ${timeoutMs} ms`, { context: { timeoutMs } })),
      timeoutMs,
    );
    const attempt = (): void => {
      const r = native.recvFds(fd, buf);
      if (r.bytes === -constants.errno.EAGAIN) return;
      if (r.bytes <= 0) {
        finish(new IPCError("EndpointUnreachable", `the shm handshake (${what}) failed: ${r.bytes === 0 ? "the peer closed the connection" : `errno ${-r.bytes}`}`));
        return;
      }
      finish(undefined, { bytes: buf.slice(0, r.bytes), fds: r.fds });
    };
    watch = native.watchFd(fd, false, attempt);
  });
}

/**
 * Whether `fd` is an eventfd: a peer's "doorbell" is written to on every
 * wake-up, so anything else (a pipe that could be full and blocking, a file)
 * is refused.
 */
function isEventfd(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === "anon_inode:[eventfd]";
  } catch {
    return false;
  }
}

function checkMagic(bytes: Uint8Array): boolean {
  return bytes.length === HELLO_BYTES && Buffer.from(bytes.subarray(0, 8)).toString("latin1") === MAGIC;
}

/** Client side of the shm transport (spec create_channel with SharedMemory). */
export async function connectShm(endpoint: string, options: ChannelOptions = {}): Promise<Channel> {
  const opts = resolveChannelOptions(options);
  const { ringBytes, spinUs } = resolveShm(options);
  const path = resolveEndpoint(endpoint, "shm");
  const native = nativeShm();
  const fd = takeDescriptor(await connectSocket(path, opts.timeoutMs), NO_ADDON);
  let region: SharedRegion | undefined;
  let doorbell = -1;
  const received: number[] = [];
  try {
    const offset = ringOffset(ringBytes);
    region = createAnonymousRegion(offset + SpscByteRing.bytesFor(ringBytes));
    const c2s = SpscByteRing.init(region.buffer, region.dataOffset, ringBytes);
    const s2c = SpscByteRing.init(region.buffer, region.dataOffset + offset, ringBytes);
    doorbell = callNativeShm("eventfd", () => native.eventfdCreate());
    const sent = native.sendFds(fd, hello(0, ringBytes), [region.fd!, doorbell]);
    if (sent !== HELLO_BYTES) throw new IPCError("EndpointUnreachable", `cannot send the shm handshake to ${path} (${sent < 0 ? `errno ${-sent}` : "short write"})`);
    const reply = await receiveHandshake(fd, opts.timeoutMs, `connecting to ${path}`);
    received.push(...reply.fds);
    if (!checkMagic(reply.bytes)) throw new IPCError("ProtocolError", `${path} answered the shm handshake with something else (not a NovaDE shm server?)`);
    const status = new DataView(reply.bytes.buffer).getUint32(12, true);
    if (status === 1) throw new IPCError("InsufficientResources", `the server on ${path} holds its maximum of connections`, { context: { endpoint: path } });
    if (status !== 0 || reply.fds.length !== 1) throw new IPCError("ProtocolError", `the server on ${path} refused the shm handshake (status ${status})`);
    if (!isEventfd(reply.fds[0]!)) throw new IPCError("ProtocolError", `the server on ${path} sent a doorbell that is not an eventfd`);
    const link = new ShmLink({ region, outbound: c2s, inbound: s2c, ownDoorbell: doorbell, peerDoorbell: reply.fds[0]!, socketFd: fd, spinUs });
    return new StreamChannel({ transport: "shm", endpoint: path, link, options: opts });
  } catch (error) {
    region?.close();
    closeFds([fd, ...received, ...(doorbell >= 0 ? [doorbell] : [])]);
    throw error;
  }
}

/** A listening shm endpoint; see the file comment. */
class ShmListener extends ListenerBase {
  readonly #spinUs: number;

  constructor(
    endpoint: string,
    private readonly server: Server,
    opts: ResolvedChannelOptions,
    maxConnections: number,
    spinUs: number,
  ) {
    super("shm", endpoint, opts, maxConnections);
    this.#spinUs = spinUs;
    server.on("connection", (socket: Socket) => {
      let fd: number;
      try {
        fd = takeDescriptor(socket, NO_ADDON);
      } catch {
        return;
      }
      this.#handshake(fd).catch(() => {
        // A client that sent garbage, went away or timed out: its descriptors are closed; nothing to report.
      });
    });
  }

  async #handshake(fd: number): Promise<void> {
    const native = nativeShm();
    let region: SharedRegion | undefined;
    let doorbell = -1;
    let fds: number[] = [];
    /** Set once openRegionFromFd owns the memfd (it closes it itself when it throws). */
    let memfdTaken = false;
    try {
      const peer = nativeSockets()?.peerCredentials(fd);
      const msg = await receiveHandshake(fd, this.channelOptions.timeoutMs, "accepting");
      fds = msg.fds;
      const refuse = (status: number, why: string): never => {
        native.sendFds(fd, hello(status, 0), []);
        throw new IPCError("ProtocolError", why);
      };
      if (!checkMagic(msg.bytes) || fds.length !== 2 || !isEventfd(fds[1]!)) refuse(2, "malformed shm hello");
      if (!this.admit()) refuse(1, "at the connection limit");
      const ringBytes = new DataView(msg.bytes.buffer).getUint32(8, true);
      if (ringBytes < MIN_RING || ringBytes > MAX_RING || (ringBytes & (ringBytes - 1)) !== 0) refuse(2, "bad ring size");
      memfdTaken = true;
      region = openRegionFromFd(fds[0]!);
      const offset = ringOffset(ringBytes);
      if (region.size < offset + SpscByteRing.bytesFor(ringBytes)) refuse(2, "region too small for its rings");
      const c2s = SpscByteRing.attach(region.buffer, region.dataOffset);
      const s2c = SpscByteRing.attach(region.buffer, region.dataOffset + offset);
      if (c2s.capacity !== ringBytes || s2c.capacity !== ringBytes) refuse(2, "ring headers disagree with the hello");
      doorbell = callNativeShm("eventfd", () => native.eventfdCreate());
      if (native.sendFds(fd, hello(0, ringBytes), [doorbell]) !== HELLO_BYTES) throw new IPCError("EndpointUnreachable", "client went away");
      const link = new ShmLink({ region, outbound: s2c, inbound: c2s, ownDoorbell: doorbell, peerDoorbell: fds[1]!, socketFd: fd, spinUs: this.#spinUs });
      this.accept(new StreamChannel({ transport: "shm", endpoint: this.endpoint, link, options: this.channelOptions, peer }));
    } catch (error) {
      if (region !== undefined) region.close();
      else if (!memfdTaken && fds[0] !== undefined) closeFds([fds[0]]);
      closeFds([fd, ...fds.slice(1), ...(doorbell >= 0 ? [doorbell] : [])]);
      throw error;
    }
  }

  protected stopAccepting(): Promise<void> {
    return closeSocketServer(this.server, this.endpoint);
  }
}

/** Server side of the shm transport. */
export async function listenShm(endpoint: string, options: ListenerOptions = {}): Promise<Listener> {
  const opts = resolveChannelOptions(options);
  const { spinUs } = resolveShm(options);
  nativeShm(); // fails early, with how to build it, when the addon is missing
  const path = resolveEndpoint(endpoint, "shm", true);
  const server = await openSocketServer(path);
  return new ShmListener(path, server, opts, options.maxConnections ?? TRANSPORT_DEFAULTS.maxConnections, spinUs);
}
