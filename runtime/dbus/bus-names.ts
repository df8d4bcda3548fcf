/**
 * Bus names for one connection: RequestName / ReleaseName with their flags
 * and results (remembered so that a reconnect re-requests them), and the
 * owners of the well-known names that match rules name as `sender` (a signal
 * carries its sender's unique name, so matching `sender='org.example.App'`
 * locally needs to know who owns that name; the bus's NameOwnerChanged keeps
 * it current, as GDBus does).
 */
import { IPCError, isIPCError } from "../errors.js";
import type { MatchRule } from "./match-rule.js";
import { isBusName } from "./wire/names.js";
import type { DbusMessage } from "./wire/message.js";

/** RequestName flags (D-Bus specification, "org.freedesktop.DBus.RequestName"). */
export const NameFlags = {
  ALLOW_REPLACEMENT: 1,
  REPLACE_EXISTING: 2,
  DO_NOT_QUEUE: 4,
} as const;

/** RequestName's answers 1..4. */
export type RequestNameResult = "primary" | "in_queue" | "exists" | "already_owner";
/** ReleaseName's answers 1..3. */
export type ReleaseNameResult = "released" | "non_existent" | "not_owner";

const REQUEST_RESULTS: readonly RequestNameResult[] = ["primary", "in_queue", "exists", "already_owner"];
const RELEASE_RESULTS: readonly ReleaseNameResult[] = ["released", "non_existent", "not_owner"];
const BUS_NAME = "org.freedesktop.DBus";

type BusCall = (member: string, signature: string, body: unknown[]) => Promise<DbusMessage>;
type AddMatch = (rule: MatchRule, listener: (msg: DbusMessage) => void) => Promise<() => Promise<void>>;

interface Owner {
  owner: string | undefined;
  refs: number;
  remove: (() => Promise<void>) | undefined;
}

/** The names side of a {@link DbusConnection}; `call` sends a method call to the bus. */
export class BusNames {
  readonly #requested = new Map<string, number>();
  readonly #owners = new Map<string, Owner>();

  constructor(private readonly call: BusCall) {}

  /** RequestName; the name is kept for {@link BusNames.restore} unless the answer is "exists". */
  async request(name: string, flags = 0): Promise<RequestNameResult> {
    if (!isBusName(name) || name.startsWith(":")) throw new IPCError("InvalidEndpointName", `cannot request ${JSON.stringify(name)}: not a well-known bus name`);
    if (!Number.isInteger(flags) || flags < 0 || flags > 7) throw new IPCError("InvalidArgument", `RequestName flags must be a combination of NameFlags, got ${flags}`);
    const reply = await this.call("RequestName", "su", [name, flags]);
    const result = REQUEST_RESULTS[(reply.body[0] as number) - 1];
    if (result === undefined) throw new IPCError("ProtocolError", `RequestName answered ${String(reply.body[0])}`);
    if (result !== "exists") this.#requested.set(name, flags);
    return result;
  }

  /** ReleaseName; forgets the name. */
  async release(name: string): Promise<ReleaseNameResult> {
    this.#requested.delete(name);
    const reply = await this.call("ReleaseName", "s", [name]);
    const result = RELEASE_RESULTS[(reply.body[0] as number) - 1];
    if (result === undefined) throw new IPCError("ProtocolError", `ReleaseName answered ${String(reply.body[0])}`);
    return result;
  }

  /** After a reconnect: requests every kept name again and refreshes the tracked owners. */
  async restore(): Promise<void> {
    for (const [name, flags] of this.#requested) await this.call("RequestName", "su", [name, flags]);
    for (const [name, entry] of this.#owners) entry.owner = await this.#currentOwner(name);
  }

  async #currentOwner(name: string): Promise<string | undefined> {
    try {
      return (await this.call("GetNameOwner", "s", [name])).body[0] as string;
    } catch (error) {
      if (isIPCError(error, "RemoteError")) return undefined; // NameHasNoOwner
      throw error;
    }
  }

  /** Starts tracking the owner of `name` when it is a well-known name other than the bus's own. */
  async watchOwner(name: string, addMatch: AddMatch): Promise<void> {
    if (name.startsWith(":") || name === BUS_NAME) return;
    const known = this.#owners.get(name);
    if (known !== undefined) {
      known.refs++;
      return;
    }
    const entry: Owner = { owner: undefined, refs: 1, remove: undefined };
    this.#owners.set(name, entry);
    // The rule first, then the owner: a change in between is seen either way.
    entry.remove = await addMatch({ type: "signal", sender: BUS_NAME, interface: BUS_NAME, member: "NameOwnerChanged", args: [name] }, () => {});
    entry.owner = await this.#currentOwner(name);
  }

  /** Stops tracking `name` once no rule names it. */
  async unwatchOwner(name: string): Promise<void> {
    const entry = this.#owners.get(name);
    if (entry === undefined || --entry.refs > 0) return;
    this.#owners.delete(name);
    await entry.remove?.();
  }

  /** Sees every signal first: NameOwnerChanged from the bus updates tracked owners. */
  observe(msg: DbusMessage): void {
    if (msg.member !== "NameOwnerChanged" || msg.sender !== BUS_NAME || msg.interface !== BUS_NAME) return;
    const entry = this.#owners.get(msg.body[0] as string);
    if (entry !== undefined) entry.owner = (msg.body[2] as string) || undefined;
  }

  /** Whether a message from `sender` satisfies a rule's `sender=` (undefined: any). */
  senderMatches(ruleSender: string | undefined, sender: string | undefined): boolean {
    if (ruleSender === undefined || ruleSender === sender) return true;
    const entry = this.#owners.get(ruleSender);
    return entry !== undefined && entry.owner !== undefined && entry.owner === sender;
  }
}
