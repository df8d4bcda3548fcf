/**
 * {@link EventPort}: the one shape generated typed events (nova-gen, `signal`/`event` with
 * `@topic`) talk to. Both the in-process {@link EventBus} (through {@link inProcessEventPort})
 * and a connection to the `nova bus` daemon (`runtime/bus`, `BusClient`) implement it, so a
 * component's generated event code runs unchanged in one process or across processes.
 */
import { IPCError } from "../errors.js";
import type { EventBus } from "./event-bus.js";
import type { EventFilter } from "./filter.js";
import type { EventLog } from "./log/event-log.js";
import type { EventHandler, EventPriority } from "./types.js";
import type { EventMessage } from "../wire/message.js";
import { nextMessageId } from "../wire/message-id.js";

/** The Event body's priority byte for each priority (idl/WIRE.md 5.3; the bus protocol reads 0..84 as low, 85..169 normal, 170..255 high). */
export const WIRE_PRIORITY: Readonly<Record<EventPriority, number>> = { high: 192, normal: 128, low: 64 };

/** The priority byte of `priority` (InvalidArgument for an unknown one). */
export function wirePriority(priority: EventPriority): number {
  const p = WIRE_PRIORITY[priority];
  if (p === undefined) throw new IPCError("InvalidArgument", `unknown event priority ${JSON.stringify(priority)}`);
  return p;
}

/** The priority of a received priority byte. */
export function priorityOfByte(byte: number): EventPriority {
  return byte >= 170 ? "high" : byte >= 85 ? "normal" : "low";
}

/** What an emit through an {@link EventPort} resolves with. */
export interface EventReceipt {
  /** The event's id: the bus's EventID (in-process), or the daemon's id (remote). */
  readonly id: number;
  /** The record's offset in the event log, when the event was persisted. */
  readonly offset?: number;
  /**
   * The aggregated delivery status (spec 6.2.1, broadcast): through the bus daemon, the number of
   * connections the event was routed to (pattern and filter matched). Not set by the in-process port.
   */
  readonly delivered?: number;
}

/** Options of {@link EventPort.emitEvent}. */
export interface PortEmitOptions {
  /** Default `normal`. */
  priority?: EventPriority;
  /**
   * Persist the event in the event log; the returned promise then resolves only once the
   * record is durable under the log's fsync policy. Rejects with InvalidArgument on a port
   * without a log.
   */
  persist?: boolean;
}

/** Options of {@link EventPort.onEvent}. */
export interface PortListenOptions {
  /** Handler order within one event (default `normal`). */
  priority?: EventPriority;
  /** Only events passing this declarative filter reach the handler (the daemon evaluates it too). */
  filter?: EventFilter;
}

/** Removes a listener registered with {@link EventPort.onEvent}. */
export type Unlisten = () => Promise<void>;

/** The event operations generated code needs; see the file comment. */
export interface EventPort {
  /** Emits one event; resolves once it is accepted (and durable, with `persist`). */
  emitEvent(topic: string, data: unknown, options?: PortEmitOptions): Promise<EventReceipt>;
  /**
   * Registers `handler` for `pattern` (`*` one segment, `**` any number); resolves once events
   * emitted from then on are delivered to it, with a function that removes it.
   */
  onEvent<T = unknown>(pattern: string, handler: EventHandler<T>, options?: PortListenOptions): Promise<Unlisten>;
}

/**
 * An {@link EventPort} over an in-process bus. Events are emitted in `sync` mode (handlers run
 * before the promise settles). With `log`, `persist: true` appends the event to it first and
 * resolves with its offset once durable; without one, `persist: true` rejects with InvalidArgument.
 */
export function inProcessEventPort(bus: EventBus, log?: EventLog): EventPort {
  return {
    async emitEvent(topic, data, options = {}) {
      let offset: number | undefined;
      if (options.persist === true) {
        if (log === undefined) throw new IPCError("InvalidArgument", `cannot persist "${topic}": this event port has no event log`, { context: { eventType: topic } });
        const message: EventMessage = {
          type: "event",
          messageId: nextMessageId(),
          correlationId: 0n,
          timestampNs: BigInt(Date.now()) * 1_000_000n,
          body: { eventType: topic, data, sourceId: 0n, priority: wirePriority(options.priority ?? "normal") },
        };
        offset = (await log.append(message)).offset;
      }
      const id = bus.emit(topic, data, { mode: "sync", priority: options.priority ?? "normal" });
      return offset === undefined ? { id } : { id, offset };
    },
    async onEvent(pattern, handler, options = {}) {
      const id = bus.registerEventHandler(pattern, handler, options);
      return async () => bus.unregisterEventHandler(id, { force: true });
    },
  };
}
