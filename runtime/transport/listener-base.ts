/**
 * Connection lifecycle shared by every listener: the set of open channels,
 * the connection limit, and closing everything in order.
 */
import { IPCError } from "../errors.js";
import type { ResolvedChannelOptions } from "./stream-channel.js";
import type { Channel, Listener, TransportType } from "./types.js";

/** Base class of the transports' listeners. */
export abstract class ListenerBase implements Listener {
  private readonly open = new Set<Channel>();
  private handler: ((channel: Channel) => void) | undefined;
  private backlog: Channel[] = [];
  private closing = false;

  constructor(
    readonly transport: TransportType,
    readonly endpoint: string,
    protected readonly channelOptions: ResolvedChannelOptions,
    private readonly maxConnections: number,
  ) {}

  get connections(): ReadonlySet<Channel> {
    return this.open;
  }

  onConnection(handler: (channel: Channel) => void): void {
    this.handler = handler;
    const waiting = this.backlog;
    this.backlog = [];
    for (const channel of waiting) if (!channel.closed) handler(channel);
  }

  /** True when one more connection may be accepted. */
  protected admit(): boolean {
    return !this.closing && this.open.size < this.maxConnections;
  }

  /** Tracks a new channel and hands it to the connection handler. */
  protected accept(channel: Channel): void {
    this.open.add(channel);
    void channel.closedPromise.then(() => this.open.delete(channel));
    if (this.handler) this.handler(channel);
    else this.backlog.push(channel);
  }

  /** Stops the transport-specific accept loop and removes the endpoint file. */
  protected abstract stopAccepting(): Promise<void>;

  async close(graceful = true): Promise<void> {
    if (this.closing) {
      throw new IPCError("ChannelAlreadyClosed", `listener on ${this.endpoint} is already closed`, { context: { endpoint: this.endpoint } });
    }
    this.closing = true;
    const stopped = this.stopAccepting();
    const results = await Promise.allSettled([...this.open].filter((c) => !c.closed).map((c) => c.close(graceful)));
    await stopped;
    const pending = results.filter(
      (r): r is PromiseRejectedResult => r.status === "rejected" && r.reason instanceof IPCError && r.reason.code === "PendingMessages",
    );
    if (pending.length > 0) {
      throw new IPCError("PendingMessages", `${pending.length} connection(s) closed with unsent messages`, {
        context: { connections: pending.length },
      });
    }
  }
}
