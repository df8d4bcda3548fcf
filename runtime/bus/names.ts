/**
 * Well-known bus names (issue 12 item 3), with the semantics of D-Bus's
 * RequestName/ReleaseName (dbus-specification "Message Bus Messages"): one
 * primary owner per name, a FIFO queue of waiting connections, and the flags
 * allowReplacement / replaceExisting / doNotQueue. Pure bookkeeping: the
 * daemon turns the returned owner changes into `nova.bus.nameOwnerChanged`
 * events.
 */
import { IPCError } from "../errors.js";

/** Flags of {@link NameRegistry.request} (D-Bus DBUS_NAME_FLAG_*). */
export interface NameFlags {
  /** Let a later requester with `replaceExisting` take the name from this owner. */
  allowReplacement?: boolean;
  /** Take the name from its owner if that owner allowed replacement. */
  replaceExisting?: boolean;
  /** Do not wait in the queue: fail with `exists` instead (and, once owning, leave rather than queue when replaced). */
  doNotQueue?: boolean;
}

/** Outcome of a request (D-Bus DBUS_REQUEST_NAME_REPLY_*). */
export type RequestNameResult = "primary" | "queued" | "exists" | "already-owner";
/** Outcome of a release (D-Bus DBUS_RELEASE_NAME_REPLY_*). */
export type ReleaseNameResult = "released" | "non-existent" | "not-owner";

/** One change of a name's primary owner; 0 = none. */
export interface OwnerChange {
  readonly name: string;
  readonly oldOwner: number;
  readonly newOwner: number;
}

interface Claim {
  readonly conn: number;
  allowReplacement: boolean;
  doNotQueue: boolean;
}

interface NameEntry {
  /** queue[0] is the primary owner. */
  readonly queue: Claim[];
}

const NAME_ELEMENT = /^[A-Za-z_-][A-Za-z0-9_-]*$/;
/** Longest well-known name (the D-Bus limit). */
export const MAX_BUS_NAME_LENGTH = 255;

/**
 * True for a well-known name: two or more dot-separated elements of
 * `[A-Za-z0-9_-]`, none starting with a digit, at most 255 characters
 * (the D-Bus rules, so a name can be used on both buses).
 */
export function isWellKnownName(name: unknown): name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_BUS_NAME_LENGTH) return false;
  const parts = name.split(".");
  return parts.length >= 2 && parts.every((p) => NAME_ELEMENT.test(p));
}

/** The unique name of connection `id`: `:` and the number. */
export function uniqueName(id: number): string {
  return `:${id}`;
}

/** The connection id of a unique name, or undefined. */
export function parseUniqueName(name: string): number | undefined {
  if (!/^:[1-9][0-9]{0,15}$/.test(name)) return undefined;
  return Number(name.slice(1));
}

function checkName(name: unknown): string {
  if (!isWellKnownName(name)) {
    throw new IPCError("InvalidEndpointName", `invalid bus name ${JSON.stringify(name)}: need two or more dot-separated elements of [A-Za-z0-9_-], not starting with a digit, at most ${MAX_BUS_NAME_LENGTH} characters`, {
      context: { name: typeof name === "string" ? name : String(name) },
    });
  }
  return name;
}

/** See the file comment. */
export class NameRegistry {
  private readonly names = new Map<string, NameEntry>();
  private readonly byConn = new Map<number, Set<string>>();

  /** The primary owner of `name`, or undefined. */
  owner(name: string): number | undefined {
    return this.names.get(name)?.queue[0]?.conn;
  }

  /** Every name that has an owner, sorted. */
  list(): string[] {
    return [...this.names.keys()].sort();
  }

  /** Connections waiting for `name`, in queue order (the owner first). */
  queue(name: string): number[] {
    return this.names.get(name)?.queue.map((c) => c.conn) ?? [];
  }

  /** Names `conn` owns or waits for. */
  namesOf(conn: number): string[] {
    return [...(this.byConn.get(conn) ?? [])];
  }

  /** D-Bus RequestName. Throws InvalidEndpointName for a malformed name. */
  request(conn: number, rawName: unknown, flags: NameFlags = {}): { result: RequestNameResult; changes: OwnerChange[] } {
    const name = checkName(rawName);
    const claim: Claim = { conn, allowReplacement: flags.allowReplacement === true, doNotQueue: flags.doNotQueue === true };
    const entry = this.names.get(name);
    if (entry === undefined) {
      this.names.set(name, { queue: [claim] });
      this.track(conn, name);
      return { result: "primary", changes: [{ name, oldOwner: 0, newOwner: conn }] };
    }
    const primary = entry.queue[0]!;
    if (primary.conn === conn) {
      primary.allowReplacement = claim.allowReplacement;
      primary.doNotQueue = claim.doNotQueue;
      return { result: "already-owner", changes: [] };
    }
    // Any earlier queue entry of this connection is replaced by this request.
    const at = entry.queue.findIndex((c) => c.conn === conn);
    if (at > 0) entry.queue.splice(at, 1);
    if (flags.replaceExisting === true && primary.allowReplacement) {
      entry.queue.shift();
      // The old owner waits behind the new one unless it asked never to queue.
      if (!primary.doNotQueue) entry.queue.unshift(primary);
      else this.untrack(primary.conn, name);
      entry.queue.unshift(claim);
      this.track(conn, name);
      return { result: "primary", changes: [{ name, oldOwner: primary.conn, newOwner: conn }] };
    }
    if (claim.doNotQueue) {
      if (at > 0) this.untrack(conn, name);
      return { result: "exists", changes: [] };
    }
    entry.queue.push(claim);
    this.track(conn, name);
    return { result: "queued", changes: [] };
  }

  /** D-Bus ReleaseName. */
  release(conn: number, rawName: unknown): { result: ReleaseNameResult; changes: OwnerChange[] } {
    const name = checkName(rawName);
    const entry = this.names.get(name);
    if (entry === undefined) return { result: "non-existent", changes: [] };
    const at = entry.queue.findIndex((c) => c.conn === conn);
    if (at < 0) return { result: "not-owner", changes: [] };
    return { result: "released", changes: this.drop(conn, name, entry, at) };
  }

  /** A connection left: it loses every name and queue place. */
  disconnect(conn: number): OwnerChange[] {
    const changes: OwnerChange[] = [];
    for (const name of this.namesOf(conn)) {
      const entry = this.names.get(name);
      if (entry === undefined) continue;
      const at = entry.queue.findIndex((c) => c.conn === conn);
      if (at >= 0) changes.push(...this.drop(conn, name, entry, at));
    }
    this.byConn.delete(conn);
    return changes;
  }

  private drop(conn: number, name: string, entry: NameEntry, at: number): OwnerChange[] {
    entry.queue.splice(at, 1);
    this.untrack(conn, name);
    if (at !== 0) return [];
    const next = entry.queue[0];
    if (next === undefined) this.names.delete(name);
    return [{ name, oldOwner: conn, newOwner: next?.conn ?? 0 }];
  }

  private track(conn: number, name: string): void {
    let set = this.byConn.get(conn);
    if (set === undefined) this.byConn.set(conn, (set = new Set()));
    set.add(name);
  }

  private untrack(conn: number, name: string): void {
    const set = this.byConn.get(conn);
    if (set === undefined) return;
    set.delete(name);
    if (set.size === 0) this.byConn.delete(conn);
  }
}
