/**
 * The id → object table of one Wayland connection, with libwayland's rules
 * (wayland-private.h `wl_map`, wayland-client.c `proxy_destroy`,
 * wayland-server.c `wl_resource_destroy`):
 *
 * - Client ids run from 1 to 0xFEFFFFFF, server ids from 0xFF000000. Each side
 *   allocates from its own range only; a `new_id` from the peer must be in
 *   the peer's range, free, and at most one past the highest id the peer has
 *   used so far (ids are dense: no gaps, so no huge table from a hostile id).
 * - Client side: a destroyed client-id proxy becomes a zombie, which keeps
 *   its interface so that events still in flight to it are decoded (their fds
 *   taken and closed) and dropped, until the server's `wl_display.delete_id`
 *   frees the id. A delete_id that arrives first (the server destroyed its end,
 *   e.g. after `wl_callback.done`) is remembered and the id freed when the
 *   proxy is destroyed; one for an id not in use is ignored (libwayland only
 *   logs it). A destroyed server-id proxy becomes a zombie too (no
 *   delete_id ever comes for those): the server may recreate the id at any
 *   time, which replaces the zombie.
 * - Server side: destroying a resource with a client id frees the slot at
 *   once (the connection sends delete_id); a server id goes back to the
 *   server's free list.
 * - Reuse: freed ids of this side's range go to a free list and are reused
 *   last-freed first, before any new id (as wl_map does; not lowest-first).
 *
 * Errors about ids the peer sent are ProtocolError; misuse by local code is
 * InvalidArgument.
 */
import { IPCError } from "../errors.js";
import { WL_CLIENT_ID_MAX, WL_SERVER_ID_MAX, WL_SERVER_ID_START, type WlInterface } from "./descriptor.js";
import type { WlObject } from "./proxy.js";

/** A destroyed object whose id is not free yet: messages to it are decoded with `iface` and dropped. */
export class WlZombie {
  constructor(readonly iface: WlInterface) {}
}

/** A slot allocated by this side, waiting for its object (or the fixed slot 0). */
const RESERVED = Symbol("reserved");

type Slot = WlObject | WlZombie | typeof RESERVED | undefined;

/** Which end of the connection this map belongs to. */
export type WlSide = "client" | "server";

/** See the file comment. */
export class ObjectMap {
  readonly side: WlSide;
  /** Slots of ids 0..; slot 0 (the null object) is RESERVED. */
  readonly #low: Slot[] = [RESERVED];
  /** Slots of ids 0xFF000000.. (index = id - 0xFF000000). */
  readonly #high: Slot[] = [];
  /** Freed ids of this side's range, reused last first. */
  readonly #free: number[] = [];
  /** Client side: live proxies whose delete_id already came. */
  readonly #deletedLive = new Set<number>();
  #live = 0;

  constructor(side: WlSide) {
    this.side = side;
  }

  /** The number of live objects. */
  get size(): number {
    return this.#live;
  }

  /** The live object with this id, or undefined (free, reserved, or a zombie). */
  get(id: number): WlObject | undefined {
    const s = this.#slot(id);
    return s === undefined || s === RESERVED || s instanceof WlZombie ? undefined : s;
  }

  /** The live object or zombie with this id. */
  lookup(id: number): WlObject | WlZombie | undefined {
    const s = this.#slot(id);
    return s === RESERVED ? undefined : s;
  }

  /** A fresh id of this side's range (reserved until {@link insert}): the last freed one, else the next unused. */
  allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) {
      this.#set(reused, RESERVED);
      return reused;
    }
    const own = this.side === "client" ? this.#low : this.#high;
    const id = this.side === "client" ? own.length : WL_SERVER_ID_START + own.length;
    if (id > (this.side === "client" ? WL_CLIENT_ID_MAX : WL_SERVER_ID_MAX)) {
      throw new IPCError("InsufficientResources", `no ${this.side} object id left`, { context: { side: this.side } });
    }
    own.push(RESERVED);
    return id;
  }

  /**
   * Why the peer may not create an object with this id, or undefined when it
   * may: the id must be in the peer's range, not skip ahead, and be free (a
   * zombie counts as free for server ids on the client side).
   */
  newIdProblem(id: number): string | undefined {
    const peerIsClient = this.side === "server";
    if (peerIsClient ? id < 1 || id > WL_CLIENT_ID_MAX : id < WL_SERVER_ID_START || id > WL_SERVER_ID_MAX) {
      return `new id ${id} is outside the ${peerIsClient ? "client" : "server"} range`;
    }
    const slots = peerIsClient ? this.#low : this.#high;
    const i = peerIsClient ? id : id - WL_SERVER_ID_START;
    if (i > slots.length) return `new id ${id} skips ids (next is ${peerIsClient ? slots.length : WL_SERVER_ID_START + slots.length})`;
    const s = slots[i];
    if (s !== undefined && !(s instanceof WlZombie && !peerIsClient)) return `new id ${id} is already in use`;
    return undefined;
  }

  /**
   * Checks a `new_id` the peer sent (see {@link newIdProblem}) and reserves
   * it, so that the peer's next id is valid even when no object is ever
   * made for this one (an untyped bind the server refuses): libwayland's
   * wl_map_reserve_new. Returns the problem, or undefined when reserved.
   */
  reserveNew(id: number): string | undefined {
    const problem = this.newIdProblem(id);
    if (problem !== undefined) return problem;
    const slots = id >= WL_SERVER_ID_START ? this.#high : this.#low;
    const i = id >= WL_SERVER_ID_START ? id - WL_SERVER_ID_START : id;
    if (i === slots.length) slots.push(undefined);
    return undefined;
  }

  /**
   * Registers `obj` under its id (WlObject's constructor calls this). An id
   * of this side must come from {@link allocate} (or be the next unused one);
   * an id of the peer's side must pass {@link newIdProblem} (ProtocolError).
   */
  insert(obj: WlObject): void {
    const id = obj.id;
    if (this.#isOwn(id)) {
      const s = this.#slot(id);
      const next = this.side === "client" ? this.#low.length : WL_SERVER_ID_START + this.#high.length;
      if (s === RESERVED && id !== 0) this.#set(id, obj);
      else if (id === next) (this.side === "client" ? this.#low : this.#high).push(obj);
      else throw new IPCError("InvalidArgument", `${obj.iface.name}: id ${id} was not allocated by this ${this.side}`, { context: { id, interface: obj.iface.name } });
    } else {
      const problem = this.newIdProblem(id);
      if (problem !== undefined) throw new IPCError("ProtocolError", problem, { context: { objectId: id, interface: obj.iface.name, reason: "invalid new id" } });
      this.#set(id, obj);
    }
    this.#live++;
  }

  /**
   * Client side: a `new_id` in an event to a zombie creates an object nobody
   * will see; it is recorded as a zombie at once, so that the server's later
   * events to it are dropped like the zombie's own (ProtocolError for a bad id).
   */
  insertZombie(id: number, iface: WlInterface): void {
    const problem = this.reserveNew(id);
    if (problem !== undefined) throw new IPCError("ProtocolError", problem, { context: { objectId: id, interface: iface.name, reason: "invalid new id" } });
    this.#set(id, new WlZombie(iface));
  }

  /**
   * Applies the destruction rules of the file comment to a destroyed object;
   * returns true when the peer must be told with `wl_display.delete_id`
   * (server side, client id).
   */
  destroy(obj: WlObject): boolean {
    const id = obj.id;
    if (this.#slot(id) !== obj) return false;
    this.#live--;
    if (this.side === "server") {
      if (this.#isOwn(id)) this.#freeId(id);
      else this.#set(id, undefined);
      return !this.#isOwn(id);
    }
    if (this.#isOwn(id) && this.#deletedLive.delete(id)) this.#freeId(id);
    else this.#set(id, new WlZombie(obj.iface));
    return false;
  }

  /** Undoes {@link insert} of an object that never reached the peer (its creating request failed): the id is free again at once. */
  release(obj: WlObject): void {
    if (this.#slot(obj.id) !== obj) return;
    obj.destroyed = true;
    this.#live--;
    if (this.#isOwn(obj.id)) this.#freeId(obj.id);
    else this.#set(obj.id, undefined);
  }

  /**
   * Client side: the server's `wl_display.delete_id`. Returns false, changing
   * nothing, for an id that is not one of ours in use (libwayland only logs
   * that; the connection ignores it too).
   */
  deleteId(id: number): boolean {
    const s = this.side === "client" && this.#isOwn(id) ? this.#slot(id) : undefined;
    if (s instanceof WlZombie) this.#freeId(id);
    else if (s !== undefined && s !== RESERVED && !this.#deletedLive.has(id)) this.#deletedLive.add(id);
    else return false;
    return true;
  }

  /** The live objects, in id order (for teardown: the caller destroys them). */
  liveObjects(): WlObject[] {
    const out: WlObject[] = [];
    for (const slots of [this.#low, this.#high]) {
      for (const s of slots) if (s !== undefined && s !== RESERVED && !(s instanceof WlZombie)) out.push(s);
    }
    return out;
  }

  #isOwn(id: number): boolean {
    return this.side === "client" ? id < WL_SERVER_ID_START : id >= WL_SERVER_ID_START;
  }

  #slot(id: number): Slot {
    return id >= WL_SERVER_ID_START ? this.#high[id - WL_SERVER_ID_START] : this.#low[id];
  }

  #set(id: number, s: Slot): void {
    if (id >= WL_SERVER_ID_START) this.#high[id - WL_SERVER_ID_START] = s;
    else this.#low[id] = s;
  }

  #freeId(id: number): void {
    this.#set(id, undefined);
    this.#free.push(id);
  }
}
