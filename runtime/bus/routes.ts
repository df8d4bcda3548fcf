/**
 * The daemon's routing table: subscriptions (pattern + optional filter) of
 * every connection in one topic trie, and a per-topic cache of the resolved
 * route, so an event to a known topic costs one Map lookup. The cache is
 * cleared when subscriptions change and bounded in size (a publisher sending
 * endless distinct topics cannot grow it without limit).
 */
import type { IPCError } from "../errors.js";
import type { EventFilter, EventPredicate } from "../events/filter.js";
import { parsePattern, parseTopic } from "../events/topic-pattern.js";
import { TopicTrie } from "../events/topic-trie.js";
import { BUS_TOPIC_PREFIX } from "./protocol.js";

/** One subscription as the daemon holds it. */
export interface RouteSub<C> {
  readonly id: number;
  readonly conn: C;
  /** The owning connection's id (routes are sorted by it, so a connection is served once per event). */
  readonly connId: number;
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly filter: EventPredicate | undefined;
  /** The filter as the subscriber sent it (for `@bus.stats` and tests). */
  readonly filterSpec: EventFilter | undefined;
}

/** What the daemon does with an event to one topic. */
export interface Route<C> {
  /** Undefined when the topic is valid; otherwise why it is not (InvalidEventType). */
  readonly error: IPCError | undefined;
  /** True for `nova.bus.*`: only the daemon publishes there. */
  readonly reserved: boolean;
  /** Matching subscriptions, ordered by connection id, then subscription id. */
  readonly subs: readonly RouteSub<C>[];
  /** Some matching subscription has a filter: the event's data must be decoded. */
  readonly needsData: boolean;
  /** The topic matches a persistent pattern of the daemon's configuration. */
  readonly persist: boolean;
}

/** Topics whose routes are cached at most. */
const CACHE_LIMIT = 8192;

/** See the file comment. */
export class RouteTable<C> {
  private readonly trie = new TopicTrie<RouteSub<C>>();
  private readonly persistent = new TopicTrie<string>();
  private readonly cache = new Map<string, Route<C>>();
  private count = 0;

  /** Subscriptions in the table. */
  get size(): number {
    return this.count;
  }

  /** Adds a pattern whose topics are persisted (InvalidEventType for a bad pattern). */
  addPersistentPattern(pattern: string): void {
    this.persistent.add(parsePattern(pattern), pattern);
    this.cache.clear();
  }

  /** Adds a subscription. */
  add(sub: RouteSub<C>): void {
    this.trie.add(sub.segments, sub);
    this.count++;
    this.cache.clear();
  }

  /** Removes a subscription; false when it was not there. */
  remove(sub: RouteSub<C>): boolean {
    if (!this.trie.remove(sub.segments, sub)) return false;
    this.count--;
    this.cache.clear();
    return true;
  }

  /** The route of `topic` (cached). */
  route(topic: string): Route<C> {
    const hit = this.cache.get(topic);
    if (hit !== undefined) return hit;
    const route = this.resolve(topic);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(topic, route);
    return route;
  }

  private resolve(topic: string): Route<C> {
    let segments: string[];
    try {
      segments = parseTopic(topic);
    } catch (error) {
      return { error: error as IPCError, reserved: false, subs: [], needsData: false, persist: false };
    }
    const subs = this.trie.match(segments).sort((a, b) => a.connId - b.connId || a.id - b.id);
    return {
      error: undefined,
      reserved: topic.startsWith(BUS_TOPIC_PREFIX),
      subs,
      needsData: subs.some((s) => s.filter !== undefined),
      persist: this.persistent.match(segments).length > 0,
    };
  }
}
