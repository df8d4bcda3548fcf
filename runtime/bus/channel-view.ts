/**
 * A view of a {@link Channel} with its own handler: the bus client splits one
 * connection to the daemon into the part an RpcClient reads (Responses) and
 * the part an RpcServer reads (Requests routed to this connection), so both
 * run unchanged on one socket. Sending, closing and status go to the channel.
 */
import { IPCError } from "../errors.js";
import type { Channel, ChannelHandler, ConnectionStatus, SendOptions } from "../transport/types.js";
import type { Message } from "../wire/message.js";

/** See the file comment. */
export class ChannelView implements Channel {
  handler: ChannelHandler | undefined;

  constructor(private readonly base: Channel) {}

  get id(): number {
    return this.base.id;
  }
  get transport(): Channel["transport"] {
    return this.base.transport;
  }
  get endpoint(): string {
    return this.base.endpoint;
  }
  get peer(): Channel["peer"] {
    return this.base.peer;
  }
  get closed(): boolean {
    return this.base.closed;
  }
  get closedPromise(): Promise<IPCError | undefined> {
    return this.base.closedPromise;
  }
  get outboundBytes(): number {
    return this.base.outboundBytes;
  }
  send(message: Message, options?: SendOptions): Promise<bigint> {
    return this.base.send(message, options);
  }
  trySend(message: Message): boolean {
    return this.base.trySend(message);
  }
  trySendFrame(frame: Uint8Array): boolean {
    return this.base.trySendFrame(frame);
  }
  trySendFrames(b: Uint8Array, start: number, end: number, sealed?: boolean): boolean {
    return this.base.trySendFrames(b, start, end, sealed);
  }
  setReadPaused(paused: boolean): void {
    this.base.setReadPaused(paused);
  }
  writable(): Promise<void> {
    return this.base.writable();
  }
  /** Views are push-only: their owner installs a handler. */
  receive(): Promise<Message> {
    return Promise.reject(new IPCError("InvalidArgument", "a channel view has no receive queue; set a handler"));
  }
  setHandler(handler: ChannelHandler | undefined): void {
    this.handler = handler;
  }
  close(graceful?: boolean): Promise<void> {
    return this.base.close(graceful);
  }
  status(): ConnectionStatus {
    return this.base.status();
  }
}
