/**
 * The options of {@link EventBus} and its operations, their defaults and limits (spec 6.1.1), and
 * their validation: a bad option is an `IPCError` `InvalidArgument`, never a crash later.
 */
import { IPCError } from "../errors.js";
import type { EventFilter } from "./filter.js";
import type { BusEvent, DeliveryMode, EventOrigin, EventPriority, HandlerErrorInfo } from "./types.js";
// Only for the {@link EventBus} references in doc comments (a type import: no runtime cycle).
import type { EventBus } from "./event-bus.js";

/** Spec 6.1.1 "Event Handler Limit". */
export const DEFAULT_MAX_EVENT_HANDLERS = 10_000;
/** Subscriptions get the same default limit as handlers (the spec names none). */
export const DEFAULT_MAX_SUBSCRIPTIONS = 10_000;
/** Spec 6.1.1 "Message Queue Size". */
export const DEFAULT_MAX_QUEUED_EVENTS = 10_000;
/** Async events delivered per event-loop turn before yielding. */
export const DEFAULT_EVENT_BATCH_SIZE = 256;
/** Spec 6.1.1 "Default Message Timeout", used for handlers that return a Promise. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 5_000;

/** Most retries of one failed handler: a sync throw is retried at once, so this also bounds the recursion. */
export const MAX_HANDLER_RETRIES = 100;

/**
 * @internal The queue lane / sort rank of a priority, or undefined for anything else. Not a lookup in an
 * object literal: `{...}["constructor"]` is Object's constructor, which once let
 * `priority: "constructor"` through validation and crash the queue with a TypeError.
 */
export function rankOf(priority: unknown): number | undefined {
  return priority === "high" ? 0 : priority === "normal" ? 1 : priority === "low" ? 2 : undefined;
}

/** @internal `retries` must be an integer 0..MAX_HANDLER_RETRIES; `timeoutMs` a number >= 0 (0 or Infinity = none). */
export function checkRetryOptions(retries: unknown, timeoutMs: unknown, where: string): void {
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0 || retries > MAX_HANDLER_RETRIES) {
    throw new IPCError("InvalidArgument", `${where}: retries must be an integer from 0 to ${MAX_HANDLER_RETRIES}, not ${String(retries)}`);
  }
  if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new IPCError("InvalidArgument", `${where}: timeoutMs must be a number >= 0 (0 = no timeout), not ${String(timeoutMs)}`);
  }
}

/** Options of {@link EventBus}. */
export interface EventBusOptions {
  /** TooManyHandlers past this many handlers (default 10,000). */
  maxHandlers?: number;
  /** TooManySubscriptions past this many subscriptions (default 10,000). */
  maxSubscriptions?: number;
  /** EventQueueFull past this many queued async/broadcast events (default 10,000). */
  maxQueuedEvents?: number;
  /** Queued events delivered per event-loop turn (default 256): bounded work, the loop is never starved. */
  batchSize?: number;
  /** Default timeout of a handler's returned Promise, ms (default 5,000; 0 = none). */
  handlerTimeoutMs?: number;
  /** Default number of retries of a failed handler (default 0). */
  retries?: number;
  /** Where handler failures go. Default: a process warning. The hook's own throws are ignored. */
  onHandlerError?: (error: unknown, info: HandlerErrorInfo) => void;
  /** Concrete topics whose handler lists are cached (default 4,096; the cache is cleared when full). */
  topicCacheSize?: number;
}

/** Options of {@link EventBus.registerEventHandler}. */
export interface RegisterHandlerOptions {
  /** Handler order within one event (default `normal`); ties keep registration order. */
  priority?: EventPriority;
  /** Only events passing this filter reach the handler. Validated now: `InvalidFilter`. */
  filter?: EventFilter;
  /** Overrides the bus's `handlerTimeoutMs`. */
  timeoutMs?: number;
  /** Overrides the bus's `retries`. */
  retries?: number;
}

/** Options of {@link EventBus.subscribe}. */
export type SubscribeOptions = Omit<RegisterHandlerOptions, "filter">;

/** Options of {@link EventBus.emit}. */
export interface EmitOptions {
  /** Default `sync`. */
  mode?: DeliveryMode;
  /** Default `normal`. */
  priority?: EventPriority;
  /** Informational origin, passed on in the event (ordering is FIFO per publisher within a priority). */
  publisher?: string;
  /** Throw NoHandlersRegistered when no handler or subscription matches the type. */
  requireHandlers?: boolean;
  /** Passed on as {@link BusEvent.origin}: set by the bus client for events the daemon delivered. */
  origin?: EventOrigin;
}

/** Options of {@link EventBus.unregisterEventHandler}. */
export interface UnregisterOptions {
  /** Remove even while an invocation runs (it finishes; no new ones start). Default false: HandlerStillActive. */
  force?: boolean;
}
