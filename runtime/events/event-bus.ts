/**
 * The in-process event bus (spec 5.1.2 `core::ipc::events`, behaviour 6.2.3).
 *
 * Handlers and subscriptions live in a {@link TopicTrie}; the sorted handler list of each
 * concrete topic is cached (and the cache dropped on every (un)registration), so a sync emit to a
 * known topic is a memo compare or one dictionary lookup, and a loop: no allocation besides the
 * one event object, and none at all when nobody listens. Options and their validation are in
 * bus-options.ts. See README.md for the operation-by-operation mapping.
 */
import { IPCError } from "../errors.js";
import {
  checkRetryOptions,
  DEFAULT_EVENT_BATCH_SIZE,
  DEFAULT_HANDLER_TIMEOUT_MS,
  DEFAULT_MAX_EVENT_HANDLERS,
  DEFAULT_MAX_QUEUED_EVENTS,
  DEFAULT_MAX_SUBSCRIPTIONS,
  rankOf,
  type EmitOptions,
  type EventBusOptions,
  type RegisterHandlerOptions,
  type SubscribeOptions,
  type UnregisterOptions,
} from "./bus-options.js";
import { compileEventFilter, filterTopicPattern, type EventFilter } from "./filter.js";
import { handlerThrew, watchResult, type RunnerHost } from "./handler-runner.js";
import { PriorityEventQueue } from "./event-queue.js";
import { parsePattern, parseTopic } from "./topic-pattern.js";
import { TopicTrie } from "./topic-trie.js";
import type { BusEvent, EventHandler, EventId, HandlerErrorInfo, HandlerId, HandlerRecord, SubscriptionId } from "./types.js";

export {
  DEFAULT_MAX_EVENT_HANDLERS,
  DEFAULT_MAX_SUBSCRIPTIONS,
  DEFAULT_MAX_QUEUED_EVENTS,
  DEFAULT_EVENT_BATCH_SIZE,
  DEFAULT_HANDLER_TIMEOUT_MS,
  MAX_HANDLER_RETRIES,
  type EventBusOptions,
  type RegisterHandlerOptions,
  type SubscribeOptions,
  type EmitOptions,
  type UnregisterOptions,
} from "./bus-options.js";

const EMPTY: readonly HandlerRecord[] = Object.freeze([]);

/**
 * After this many memo misses in a row (without a repeated topic in between) `emit` stops
 * comparing the topic with the memo and goes straight to the cache. Why: comparing two distinct
 * topic strings of equal length is a character comparison (`app.t1.changed` vs `app.t2.changed`),
 * about as costly as the cache lookup itself, and pure waste when topics rotate.
 */
const MEMO_MISS_LIMIT = 16;

/**
 * The memo's "no topic": a value no argument can be `===` to. It used to be `undefined`, so
 * `emit(undefined)` right after a (un)registration hit the empty memo and returned an EventId
 * instead of InvalidEventType (and an async one crashed the drain later).
 */
const NO_TOPIC: unique symbol = Symbol("no topic");

/** The per-topic cache: a null-prototype dictionary, not a Map (see {@link EventBus.emit}). */
type TopicCache = Record<string, readonly HandlerRecord[] | undefined>;

function newTopicCache(): TopicCache {
  return Object.create(null) as TopicCache;
}

/** An in-process event bus. */
export class EventBus implements RunnerHost {
  private readonly trie = new TopicTrie<HandlerRecord>();
  private readonly byId = new Map<number, HandlerRecord>();
  private cache: TopicCache = newTopicCache();
  private cacheSize = 0;
  private readonly queue = new PriorityEventQueue();
  private readonly opts: Required<Omit<EventBusOptions, "onHandlerError">> & Pick<EventBusOptions, "onHandlerError">;
  private lastType: string | typeof NO_TOPIC = NO_TOPIC;
  private lastList: readonly HandlerRecord[] = EMPTY;
  /** Memo misses since the last repeated topic; at MEMO_MISS_LIMIT the memo is skipped. */
  private memoMisses = 0;
  private nextId = 1;
  private lastEventId = 0;
  private handlers = 0;
  private subscriptions = 0;
  private inflight = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly drainBound = (): void => this.drainBatch();

  constructor(options: EventBusOptions = {}) {
    this.opts = {
      maxHandlers: options.maxHandlers ?? DEFAULT_MAX_EVENT_HANDLERS,
      maxSubscriptions: options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS,
      maxQueuedEvents: options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS,
      batchSize: Math.max(1, options.batchSize ?? DEFAULT_EVENT_BATCH_SIZE),
      handlerTimeoutMs: options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS,
      retries: options.retries ?? 0,
      topicCacheSize: Math.max(1, options.topicCacheSize ?? 4096),
      onHandlerError: options.onHandlerError,
    };
    checkRetryOptions(this.opts.retries, this.opts.handlerTimeoutMs, "event bus");
  }

  /** Registered handlers (not subscriptions). */
  get handlerCount(): number {
    return this.handlers;
  }
  /** Active subscriptions. */
  get subscriptionCount(): number {
    return this.subscriptions;
  }
  /** Concrete topics whose handler lists are cached now (at most `topicCacheSize`). */
  get cachedTopics(): number {
    return this.cacheSize;
  }
  /** Async/broadcast events waiting for delivery. */
  get queuedEvents(): number {
    return this.queue.length;
  }

  /**
   * Spec `register_event_handler`. Errors: InvalidEventType (bad pattern), HandlerAlreadyRegistered
   * (the same function on the same pattern), TooManyHandlers, InvalidFilter, InvalidArgument.
   */
  registerEventHandler<T = unknown>(pattern: string, handler: EventHandler<T>, options: RegisterHandlerOptions = {}): HandlerId {
    const segments = parsePattern(pattern);
    if (typeof handler !== "function") throw new IPCError("InvalidArgument", "event handler must be a function");
    const filter = options.filter === undefined ? undefined : compileEventFilter(options.filter);
    for (const r of this.trie.valuesAt(segments) ?? []) {
      if (r.kind === "handler" && r.fn === handler) {
        throw new IPCError("HandlerAlreadyRegistered", `this handler is already registered for "${pattern}" (id ${r.id})`, { context: { pattern, handlerId: r.id } });
      }
    }
    if (this.handlers >= this.opts.maxHandlers) {
      throw new IPCError("TooManyHandlers", `event handler limit of ${this.opts.maxHandlers} reached`, { context: { limit: this.opts.maxHandlers } });
    }
    // Counted only once inserted: insert can still refuse the options (InvalidArgument).
    const id = this.insert("handler", pattern, segments, handler as EventHandler, filter, options);
    this.handlers++;
    return id;
  }

  /**
   * Spec `unregister_event_handler`. Errors: HandlerNotFound; HandlerStillActive while an
   * invocation of the handler runs (also when it unregisters itself), unless `{force: true}`.
   */
  unregisterEventHandler(id: HandlerId, options: UnregisterOptions = {}): void {
    const r = this.byId.get(id);
    if (r === undefined || r.kind !== "handler") throw new IPCError("HandlerNotFound", `no event handler with id ${String(id)}`, { context: { handlerId: id } });
    if (r.active > 0 && options.force !== true) {
      throw new IPCError("HandlerStillActive", `event handler ${id} is still running (${r.active} invocation(s)); retry later or pass {force: true}`, {
        context: { handlerId: id, active: r.active },
      });
    }
    this.handlers--;
    this.removeRecord(r);
  }

  /**
   * Spec `subscribe_to_events`: `callback` receives every event passing `filter` (its top-level
   * `topic`, if any, is used as the routing pattern). Errors: InvalidFilter, TooManySubscriptions.
   */
  subscribe<T = unknown>(filter: EventFilter, callback: EventHandler<T>, options: SubscribeOptions = {}): SubscriptionId {
    const predicate = compileEventFilter(filter);
    if (typeof callback !== "function") throw new IPCError("InvalidArgument", "event callback must be a function");
    if (this.subscriptions >= this.opts.maxSubscriptions) {
      throw new IPCError("TooManySubscriptions", `subscription limit of ${this.opts.maxSubscriptions} reached`, { context: { limit: this.opts.maxSubscriptions } });
    }
    const pattern = filterTopicPattern(filter);
    const id = this.insert("subscription", pattern, parsePattern(pattern), callback as EventHandler, predicate, options);
    this.subscriptions++;
    return id;
  }

  /** Spec `unsubscribe_from_events`. Error: SubscriptionNotFound. Running callbacks finish; no new ones start. */
  unsubscribe(id: SubscriptionId): void {
    const r = this.byId.get(id);
    if (r === undefined || r.kind !== "subscription") throw new IPCError("SubscriptionNotFound", `no subscription with id ${String(id)}`, { context: { subscriptionId: id } });
    this.subscriptions--;
    this.removeRecord(r);
  }

  /**
   * Spec `emit_event`. Returns the event's id. Errors: InvalidEventType, NoHandlersRegistered
   * (only with `requireHandlers`), SerializationError (`broadcast` data that JSON cannot carry),
   * EventQueueFull (async/broadcast past `maxQueuedEvents`), InvalidArgument (bad mode/priority).
   */
  emit<T = unknown>(type: string, data?: T, options?: EmitOptions): EventId {
    // Kept tiny on purpose so V8 inlines it into the caller's loop (as it does EventEmitter's
    // emit): only the common case lives here, a sync emit without options to a topic whose
    // handler list is already cached. Everything else (options, cache miss, validation) is
    // emitSlow, out of line. The one-entry memo skips the lookup for a burst to one topic; while
    // topics rotate it is skipped itself (MEMO_MISS_LIMIT), and comes back on the first repeat.
    // The cache is a null-prototype dictionary: V8's keyed lookup of a string already used as a
    // key is cheaper there than Map#get. The typeof guard keeps a non-string `type` from being
    // converted (a toString() call) on the way to emitSlow's InvalidEventType.
    if (options === undefined) {
      let list: readonly HandlerRecord[] | undefined;
      if (this.memoMisses < MEMO_MISS_LIMIT && type === this.lastType) list = this.lastList;
      else {
        list = typeof type === "string" ? this.cache[type] : undefined;
        if (list !== undefined) {
          if (list === this.lastList) this.memoMisses = 0;
          else {
            this.memoMisses++;
            this.lastType = type;
            this.lastList = list;
          }
        }
      }
      if (list !== undefined) {
        const id = ++this.lastEventId;
        if (list.length !== 0) this.deliver(list, { id, type, data, priority: "normal", mode: "sync", publisher: undefined, origin: undefined });
        return id;
      }
    }
    return this.emitSlow(type, data, options);
  }

  /** Everything {@link emit} does not do inline: cache miss, options, async/broadcast. */
  private emitSlow(type: string, data: unknown, options: EmitOptions | undefined): EventId {
    let list: readonly HandlerRecord[] | undefined;
    if (type === this.lastType) list = this.lastList;
    else {
      list = typeof type === "string" ? this.cache[type] : undefined;
      if (list === undefined) list = this.lookup(type);
      this.lastType = type;
      this.lastList = list;
    }
    if (options === undefined) {
      const id = ++this.lastEventId;
      if (list.length !== 0) this.deliver(list, { id, type, data, priority: "normal", mode: "sync", publisher: undefined, origin: undefined });
      return id;
    }
    const mode = options.mode ?? "sync";
    const priority = options.priority ?? "normal";
    const rank = rankOf(priority);
    if (rank === undefined) throw new IPCError("InvalidArgument", `unknown event priority ${JSON.stringify(priority)}`);
    if (options.requireHandlers === true && list.length === 0) {
      throw new IPCError("NoHandlersRegistered", `no handler is registered for event type "${type}"`, { context: { eventType: type } });
    }
    if (mode === "sync") {
      const id = ++this.lastEventId;
      if (list.length !== 0) this.deliver(list, { id, type, data, priority, mode, publisher: options.publisher, origin: options.origin });
      return id;
    }
    if (mode !== "async" && mode !== "broadcast") throw new IPCError("InvalidArgument", `unknown delivery mode ${JSON.stringify(mode)}`);
    if (this.queue.length >= this.opts.maxQueuedEvents) {
      throw new IPCError("EventQueueFull", `event queue is full (${this.opts.maxQueuedEvents} events)`, { context: { limit: this.opts.maxQueuedEvents, eventType: type } });
    }
    const payload = mode === "broadcast" ? jsonCopy(type, data) : data;
    const id = ++this.lastEventId;
    this.queue.push(rank, { id, type, data: payload, priority, mode, publisher: options.publisher, origin: options.origin });
    this.schedule();
    return id;
  }

  /** Alias of {@link emit} under the spec's operation name. */
  emitEvent<T = unknown>(type: string, data?: T, options?: EmitOptions): EventId {
    return this.emit(type, data, options);
  }
  /** Alias of {@link subscribe} under the spec's operation name. */
  subscribeToEvents<T = unknown>(filter: EventFilter, callback: EventHandler<T>, options?: SubscribeOptions): SubscriptionId {
    return this.subscribe(filter, callback, options);
  }
  /** Alias of {@link unsubscribe} under the spec's operation name. */
  unsubscribeFromEvents(id: SubscriptionId): void {
    this.unsubscribe(id);
  }

  /** Resolves once the queue is empty and no handler Promise is pending (or timed out). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops every queued event (handlers and subscriptions stay). Returns how many were dropped. */
  clearQueue(): number {
    const n = this.queue.length;
    this.queue.clear();
    this.checkIdle();
    return n;
  }

  /** @internal RunnerHost */
  reportHandlerError(error: unknown, info: HandlerErrorInfo): void {
    const hook = this.opts.onHandlerError;
    try {
      if (hook !== undefined) hook(error, info);
      else process.emitWarning(`event handler ${info.handlerId} (${info.pattern}) failed on "${info.event.type}": ${String(error)}`, "NovaEventHandlerError");
    } catch {
      // The hook is the last line of isolation: its own failure must not reach an emitter.
    }
  }
  /** @internal RunnerHost */
  trackStart(): void {
    this.inflight++;
  }
  /** @internal RunnerHost */
  trackEnd(): void {
    this.inflight--;
    this.checkIdle();
  }

  private insert(kind: HandlerRecord["kind"], pattern: string, segments: string[], fn: EventHandler, filter: HandlerRecord["filter"], options: SubscribeOptions): number {
    const rank = rankOf(options.priority ?? "normal");
    if (rank === undefined) throw new IPCError("InvalidArgument", `unknown event priority ${JSON.stringify(options.priority)}`);
    const timeoutMs = options.timeoutMs ?? this.opts.handlerTimeoutMs;
    const retries = options.retries ?? this.opts.retries;
    checkRetryOptions(retries, timeoutMs, kind);
    const id = this.nextId++;
    const record: HandlerRecord = {
      id, kind, pattern, segments, fn, rank, filter,
      timeoutMs,
      retries,
      active: 0,
      removed: false,
    };
    this.trie.add(segments, record);
    this.byId.set(id, record);
    this.invalidate();
    return id;
  }

  private removeRecord(r: HandlerRecord): void {
    r.removed = true;
    this.trie.remove(r.segments, r);
    this.byId.delete(r.id);
    this.invalidate();
  }

  private invalidate(): void {
    this.cache = newTopicCache();
    this.cacheSize = 0;
    this.lastType = NO_TOPIC;
    this.lastList = EMPTY;
  }

  /** Cache miss: validate the topic, match the trie, sort by priority then registration. */
  private lookup(type: string): readonly HandlerRecord[] {
    const segments = parseTopic(type);
    const found = this.trie.match(segments);
    const list = found.length === 0 ? EMPTY : Object.freeze(found.sort((a, b) => a.rank - b.rank || a.id - b.id));
    if (this.cacheSize >= this.opts.topicCacheSize) {
      this.cache = newTopicCache();
      this.cacheSize = 0;
    }
    this.cache[type] = list;
    this.cacheSize++;
    return list;
  }

  private deliver(list: readonly HandlerRecord[], ev: BusEvent): void {
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      // A list snapshot may outlive an unregistration made by an earlier handler of this event.
      if (h.removed) continue;
      if (h.filter !== undefined && !h.filter(ev.type, ev.data)) continue;
      // runHandler's synchronous part, inlined: this loop is the sync hot path.
      h.active++;
      let result: unknown;
      try {
        result = h.fn(ev);
      } catch (err) {
        h.active--;
        handlerThrew(this, h, ev, 0, err);
        continue;
      }
      if (result !== undefined && result !== null && typeof (result as { then?: unknown }).then === "function") watchResult(this, h, ev, 0, result as PromiseLike<void>);
      else h.active--;
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: a flood of async events must let I/O run between batches.
    setImmediate(this.drainBound);
  }

  private drainBatch(): void {
    this.scheduled = false;
    for (let n = 0; n < this.opts.batchSize; n++) {
      const ev = this.queue.shift();
      if (ev === undefined) break;
      let list = this.cache[ev.type];
      if (list === undefined) list = this.lookup(ev.type);
      if (list.length !== 0) this.deliver(list, ev);
    }
    if (this.queue.length > 0) this.schedule();
    else this.checkIdle();
  }

  private checkIdle(): void {
    if (this.queue.length !== 0 || this.inflight !== 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** Creates an {@link EventBus}. */
export function createEventBus(options?: EventBusOptions): EventBus {
  return new EventBus(options);
}

function jsonCopy(type: string, data: unknown): unknown {
  if (data === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (e) {
    throw new IPCError("SerializationError", `broadcast event "${type}" data is not JSON-serialisable: ${String(e)}`, { cause: e, context: { eventType: type } });
  }
  if (text === undefined) throw new IPCError("SerializationError", `broadcast event "${type}" data is not JSON-serialisable (${typeof data})`, { context: { eventType: type } });
  return JSON.parse(text) as unknown;
}
