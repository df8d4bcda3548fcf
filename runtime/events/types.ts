/**
 * Public types of the in-process event bus (spec 5.1.2).
 */
import type { EventPredicate } from "./filter.js";

/** Spec `EventPriority`: orders handlers of one event, and queued async events. */
export type EventPriority = "high" | "normal" | "low";
/**
 * Spec `DeliveryMode`:
 * - `sync`: every handler runs inside `emit`, before it returns;
 * - `async`: the event is queued and delivered on a later event-loop turn, in batches;
 * - `broadcast`: like `async`, but the data must be JSON-serialisable (`SerializationError`
 *   otherwise) and handlers receive a JSON copy: exactly what a subscriber in another process
 *   would get through the bus daemon, so in-process and remote listeners cannot diverge.
 */
export type DeliveryMode = "sync" | "async" | "broadcast";
/** Spec `EventID`: unique per bus, increasing in emit order. A number, so emitting allocates nothing for it. */
export type EventId = number;
/** Spec `HandlerID`. Handler and subscription ids share one counter, so they never collide. */
export type HandlerId = number;
/** Spec `SubscriptionID`. */
export type SubscriptionId = number;

/** What a handler receives. One object per emitted event, shared by its handlers: do not mutate it. */
export interface BusEvent<T = unknown> {
  readonly id: EventId;
  readonly type: string;
  readonly data: T;
  readonly priority: EventPriority;
  readonly mode: DeliveryMode;
  /** The `publisher` given to `emit`, if any. */
  readonly publisher: string | undefined;
  /**
   * Set on events that came through the bus daemon (`runtime/bus`): the daemon's id for the event,
   * the publishing connection, the publisher's timestamp and, for persisted events, the log offset.
   * Undefined for events emitted in this process.
   */
  readonly origin: EventOrigin | undefined;
}

/** Where an event delivered by the bus daemon came from (see {@link BusEvent.origin}). */
export interface EventOrigin {
  /** The daemon's event id: unique per daemon run, increasing in the order the daemon received events. */
  readonly id: number;
  /** The publishing connection's id (its unique bus name is `:` followed by this number). */
  readonly source: number;
  /** The publisher's timestamp, ns since the Unix epoch. */
  readonly timestampNs: bigint;
  /** The record's offset in the daemon's event log, when the event was persisted. */
  readonly offset: number | undefined;
}

/**
 * Spec `EventHandler` / `EventCallback`. May return a Promise: the bus then watches it with the
 * handler's timeout, and a rejection counts as a failure (reported, and retried if configured).
 */
export type EventHandler<T = unknown> = (event: BusEvent<T>) => void | PromiseLike<void>;

/** Why a handler failed, given to `onHandlerError`. */
export interface HandlerErrorInfo {
  readonly handlerId: HandlerId;
  readonly pattern: string;
  readonly event: BusEvent;
  /** 0 for the first call, 1 for the first retry, ... */
  readonly attempt: number;
  /** True when another attempt follows. */
  readonly willRetry: boolean;
  /** True when the failure is the handler's timeout (the error is then `TimeoutExpired`). */
  readonly timedOut: boolean;
}

/** Internal: one registered handler or subscription. */
export interface HandlerRecord {
  readonly id: HandlerId;
  readonly kind: "handler" | "subscription";
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly fn: EventHandler;
  readonly rank: number;
  readonly filter: EventPredicate | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Invocations started and not yet finished (returned, settled or timed out). */
  active: number;
  /** Set on unregistration: a handler list already being iterated skips it from then on. */
  removed: boolean;
}
