/**
 * The runtime schema registry: holds the entries `nova-gen` wrote, finds them
 * by id or by name, and validates payloads against them. A failed validation
 * is an IPCError `MessageValidationFailed` whose context carries the path of
 * the offending value, so a log line says exactly which field was wrong.
 */
import { IPCError } from "../errors.js";
import { computeSchemaId } from "./schema-id.js";
import {
  schemaEntrySchema,
  type SchemaEntry,
  type SchemaField,
  type SchemaInterfaceEntry,
  type SchemaTypeEntry,
} from "./schema-entry.js";
import { checkValue, type NamedTypeResolver, type PathSegment, type ValueMismatch } from "./value-check.js";

/** Renders a path as `$.args[0].hints`. */
export function formatPayloadPath(path: readonly PathSegment[]): string {
  const rendered = path.map((segment) => {
    if (typeof segment === "number") return `[${segment}]`;
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  });
  return `$${rendered.join("")}`;
}

/** Holds registry entries and validates payloads against them. */
export class SchemaRegistry {
  readonly #byId = new Map<string, SchemaEntry>();
  readonly #byName = new Map<string, SchemaEntry[]>();

  /**
   * Builds a registry from entry documents and checks it is complete: every
   * reference resolves and every id matches its content. Throws IPCError
   * `InvalidArgument` naming the first bad document.
   */
  static fromEntries(documents: Iterable<unknown>): SchemaRegistry {
    const registry = new SchemaRegistry();
    for (const document of documents) registry.add(document);
    registry.verify();
    return registry;
  }

  /** Adds one entry document after checking its format; returns the parsed entry. */
  add(document: unknown): SchemaEntry {
    const parsed = schemaEntrySchema.safeParse(document);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new IPCError("InvalidArgument", `not a schema-registry entry: ${issue?.message ?? "invalid"}`, {
        context: { path: issue?.path.map(String) ?? [], name: nameOf(document) },
      });
    }
    const entry = parsed.data;
    const existing = this.#byId.get(entry.id);
    if (existing !== undefined) {
      if (existing.name !== entry.name) {
        throw new IPCError("InvalidArgument", `id ${entry.id} is claimed by ${existing.name} and ${entry.name}`, {
          context: { id: entry.id },
        });
      }
      return existing;
    }
    this.#byId.set(entry.id, entry);
    const versions = this.#byName.get(entry.name) ?? [];
    versions.push(entry);
    this.#byName.set(entry.name, versions);
    return entry;
  }

  /** Checks that every reference resolves and every id is the hash of its content. */
  verify(): void {
    for (const entry of this.#byId.values()) {
      for (const [name, id] of Object.entries(entry.refs)) {
        const target = this.#byId.get(id);
        if (target === undefined || target.name !== name) {
          throw new IPCError("InvalidArgument", `${entry.name} refers to ${name} (${id}), which is not loaded`, {
            context: { name: entry.name, missing: name, id },
          });
        }
      }
      const computed = computeSchemaId(entry, (name) => this.#byId.get(entry.refs[name] ?? "") ?? this.#resolveTransitive(entry, name));
      if (!computed.ok) {
        throw new IPCError("InvalidArgument", `${entry.name} mentions types without refs: ${computed.missing.join(", ")}`, {
          context: { name: entry.name, missing: computed.missing },
        });
      }
      if (computed.id !== entry.id) {
        throw new IPCError("InvalidArgument", `${entry.name}: id ${entry.id} does not match its content (${computed.id})`, {
          context: { name: entry.name, id: entry.id, computed: computed.id },
        });
      }
    }
  }

  /** Transitive dependencies are found through the refs of the entries that mention them. */
  #resolveTransitive(root: SchemaEntry, name: string): SchemaEntry | undefined {
    const seen = new Set<string>();
    const queue: SchemaEntry[] = [root];
    while (queue.length > 0) {
      const current = queue.pop() as SchemaEntry;
      if (seen.has(current.id)) continue;
      seen.add(current.id);
      const direct = current.refs[name];
      if (direct !== undefined) return this.#byId.get(direct);
      for (const id of Object.values(current.refs)) {
        const next = this.#byId.get(id);
        if (next !== undefined) queue.push(next);
      }
    }
    return undefined;
  }

  /** Every entry, sorted by name, then in the order versions were added. */
  entries(): SchemaEntry[] {
    return [...this.#byName.keys()].sort().flatMap((name) => this.#byName.get(name) ?? []);
  }

  /**
   * Finds an entry by id (`sha256:…`), or by qualified name — optionally
   * `name@packageVersion`; a bare name gives the version added last.
   */
  get(idOrName: string): SchemaEntry | undefined {
    if (idOrName.startsWith("sha256:")) return this.#byId.get(idOrName);
    const at = idOrName.lastIndexOf("@");
    const name = at > 0 ? idOrName.slice(0, at) : idOrName;
    const versions = this.#byName.get(name);
    if (versions === undefined) return undefined;
    if (at > 0) return versions.find((entry) => entry.packageVersion === idOrName.slice(at + 1));
    return versions[versions.length - 1];
  }

  /** Like {@link get} but throws IPCError `InvalidArgument` when the entry is missing. */
  require(idOrName: string): SchemaEntry {
    const entry = this.get(idOrName);
    if (entry === undefined) {
      throw new IPCError("InvalidArgument", `no schema-registry entry ${idOrName}`, { context: { schema: idOrName } });
    }
    return entry;
  }

  /** Checks a value against a type entry; returns the mismatch or null. */
  check(typeIdOrName: string, value: unknown): ValueMismatch | null {
    const entry = this.require(typeIdOrName);
    if (entry.kind === "interface") {
      throw new IPCError("InvalidArgument", `${entry.name} is an interface, not a type`, { context: { schema: typeIdOrName } });
    }
    return checkValue({ kind: "named", name: entry.name }, value, selfOwner(entry), this.#resolver);
  }

  /** Validates a value against a type entry; throws IPCError `MessageValidationFailed` on a mismatch. */
  validate(typeIdOrName: string, value: unknown): void {
    const mismatch = this.check(typeIdOrName, value);
    if (mismatch !== null) throw validationError(typeIdOrName, mismatch);
  }

  /** Validates the arguments of a method call or of a signal of an interface. */
  validateArgs(ifaceIdOrName: string, member: string, args: readonly unknown[]): void {
    const iface = this.#interface(ifaceIdOrName);
    const method = iface.methods.find((candidate) => candidate.name === member);
    const fields = method?.params ?? iface.signals.find((candidate) => candidate.name === member)?.args;
    if (fields === undefined) throw unknownMember(iface, member);
    this.#checkFields(iface, `${iface.name}.${member}`, fields, args, "args");
  }

  /** Validates the value a method returned (one result: the value; several: an array). */
  validateResult(ifaceIdOrName: string, member: string, value: unknown): void {
    const iface = this.#interface(ifaceIdOrName);
    const method = iface.methods.find((candidate) => candidate.name === member);
    if (method === undefined) throw unknownMember(iface, member);
    if (method.results.length === 0) return;
    if (method.results.length === 1) {
      const mismatch = checkValue((method.results[0] as SchemaField).type, value, iface, this.#resolver, ["result"]);
      if (mismatch !== null) throw validationError(`${iface.name}.${member}`, mismatch);
      return;
    }
    if (!Array.isArray(value)) {
      throw validationError(`${iface.name}.${member}`, { path: ["result"], message: "expected an array of results" });
    }
    this.#checkFields(iface, `${iface.name}.${member}`, method.results, value, "result");
  }

  /** Validates a property value. */
  validateProperty(ifaceIdOrName: string, property: string, value: unknown): void {
    const iface = this.#interface(ifaceIdOrName);
    const declared = iface.properties.find((candidate) => candidate.name === property);
    if (declared === undefined) throw unknownMember(iface, property);
    const mismatch = checkValue(declared.type, value, iface, this.#resolver, [property]);
    if (mismatch !== null) throw validationError(`${iface.name}.${property}`, mismatch);
  }

  /**
   * Every event-bus topic a loaded interface declares (a signal's `topic`), sorted by topic then
   * interface. The `nova bus` daemon can take the topics to persist from here (`persistent`).
   */
  eventTopics(): EventTopicEntry[] {
    const out: EventTopicEntry[] = [];
    for (const entry of this.#byId.values()) {
      if (entry.kind !== "interface") continue;
      for (const signal of entry.signals) {
        if (signal.topic !== undefined) out.push({ topic: signal.topic, interface: entry.name, interfaceId: entry.id, signal: signal.name, persistent: signal.persistent === true });
      }
    }
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.interfaceId < b.interfaceId ? -1 : 1));
  }

  /**
   * Validates the data of an event published to `topic`: an object keyed by the declaring signal's
   * argument names (extra keys are a newer version's and pass). With several loaded versions
   * declaring the topic, data any of them accepts is valid. A topic no loaded interface declares
   * is InvalidArgument; a mismatch is MessageValidationFailed (`context.path` starts at `event`).
   */
  validateEvent(topic: string, data: unknown): void {
    const declared = this.eventTopics().filter((candidate) => candidate.topic === topic);
    if (declared.length === 0) throw new IPCError("InvalidArgument", `no loaded interface declares event topic ${JSON.stringify(topic)}`, { context: { topic } });
    let first: IPCError | undefined;
    for (const { interfaceId, signal } of declared) {
      const iface = this.#interface(interfaceId);
      const args = iface.signals.find((candidate) => candidate.name === signal)?.args ?? [];
      const mismatch = checkEventData(args, data, iface, this.#resolver);
      if (mismatch === null) return;
      first ??= validationError(`${iface.name}.${signal}`, mismatch);
    }
    throw first;
  }

  #checkFields(owner: SchemaEntry, label: string, fields: readonly SchemaField[], values: readonly unknown[], root: string): void {
    if (values.length > fields.length) {
      throw validationError(label, { path: [root], message: `expected at most ${fields.length} values, got ${values.length}` });
    }
    fields.forEach((field, index) => {
      const mismatch = checkValue(field.type, values[index], owner, this.#resolver, [root, index]);
      if (mismatch !== null) throw validationError(label, mismatch);
    });
  }

  #interface(idOrName: string): SchemaInterfaceEntry {
    const entry = this.require(idOrName);
    if (entry.kind !== "interface") {
      throw new IPCError("InvalidArgument", `${entry.name} is a ${entry.kind}, not an interface`, { context: { schema: idOrName } });
    }
    return entry;
  }

  readonly #resolver: NamedTypeResolver = (name, owner) => {
    const id = owner.refs[name];
    const target = id === undefined ? this.get(name) : this.#byId.get(id);
    if (target === undefined) return `type ${name} is not in the registry`;
    if (target.kind === "interface") return `${name} is an interface, not a type`;
    return target;
  };
}

/** One event-bus topic declared in the registry (see {@link SchemaRegistry.eventTopics}). */
export interface EventTopicEntry {
  readonly topic: string;
  /** Qualified name and id of the declaring interface entry. */
  readonly interface: string;
  readonly interfaceId: string;
  /** The signal's NIDL name. */
  readonly signal: string;
  /** `@persistent`: the daemon writes this topic's events to its log. */
  readonly persistent: boolean;
}

function checkEventData(args: readonly SchemaField[], data: unknown, owner: SchemaEntry, resolve: NamedTypeResolver): ValueMismatch | null {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { path: ["event"], message: "expected an object keyed by argument name" };
  const record = data as Record<string, unknown>;
  for (const arg of args) {
    const mismatch = checkValue(arg.type, Object.hasOwn(record, arg.name) ? record[arg.name] : undefined, owner, resolve, ["event", arg.name]);
    if (mismatch !== null) return mismatch;
  }
  return null;
}

/** A type entry validates itself through its own refs. */
function selfOwner(entry: SchemaTypeEntry): SchemaEntry {
  return { ...entry, refs: { ...entry.refs, [entry.name]: entry.id } };
}

function validationError(schema: string, mismatch: ValueMismatch): IPCError {
  const where = formatPayloadPath(mismatch.path);
  return new IPCError("MessageValidationFailed", `payload does not match ${schema} at ${where}: ${mismatch.message}`, {
    context: { schema, path: [...mismatch.path], where, reason: mismatch.message },
  });
}

function unknownMember(iface: SchemaInterfaceEntry, member: string): IPCError {
  return new IPCError("MethodNotFound", `${iface.name} has no member ${member}`, { context: { iface: iface.name, member } });
}

function nameOf(document: unknown): unknown {
  return typeof document === "object" && document !== null ? (document as { name?: unknown }).name : undefined;
}
