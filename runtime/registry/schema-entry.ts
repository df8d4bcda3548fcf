/**
 * The format of a schema-registry entry: one JSON document per NIDL type and
 * per interface, written by `nova-gen generate --target schema` and loaded by
 * {@link SchemaRegistry}. The zod schemas here are the single definition of
 * the format; the generator and the runtime both import them, so a document
 * the generator writes is by construction one the runtime accepts.
 *
 * Types are referenced by qualified name; `refs` maps every name an entry
 * mentions to that type's id, so a registry holding several versions of a
 * package still resolves each reference to exactly the schema it was built
 * against.
 */
import { z } from "zod";

/** Format revision of entries; bumped on any incompatible change of this file. */
export const SCHEMA_ENTRY_FORMAT = 1;

/** Scalar types of NIDL, by their NIDL spelling. */
export const SCHEMA_PRIMITIVES = [
  "bool",
  "i8",
  "i16",
  "i32",
  "i64",
  "u8",
  "u16",
  "u32",
  "u64",
  "f32",
  "f64",
  "string",
  "bytes",
  "fixed",
  "fd",
  "variant",
  "objpath",
  "signature",
] as const;

/** A NIDL scalar type name. */
export type SchemaPrimitive = (typeof SCHEMA_PRIMITIVES)[number];

/** A type as written in an entry. */
export type SchemaType =
  | { readonly kind: "primitive"; readonly name: SchemaPrimitive }
  | { readonly kind: "list"; readonly element: SchemaType }
  | { readonly kind: "map"; readonly key: SchemaType; readonly value: SchemaType }
  | { readonly kind: "optional"; readonly inner: SchemaType }
  | { readonly kind: "tuple"; readonly elements: readonly SchemaType[] }
  | { readonly kind: "named"; readonly name: string }
  | { readonly kind: "object"; readonly interface: string | null }
  | { readonly kind: "new_id"; readonly interface: string | null };

/** Validates a {@link SchemaType}. */
export const schemaTypeSchema: z.ZodType<SchemaType> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("primitive"), name: z.enum(SCHEMA_PRIMITIVES) }),
    z.strictObject({ kind: z.literal("list"), element: schemaTypeSchema }),
    z.strictObject({ kind: z.literal("map"), key: schemaTypeSchema, value: schemaTypeSchema }),
    z.strictObject({ kind: z.literal("optional"), inner: schemaTypeSchema }),
    z.strictObject({ kind: z.literal("tuple"), elements: z.array(schemaTypeSchema) }),
    z.strictObject({ kind: z.literal("named"), name: z.string().min(1) }),
    z.strictObject({ kind: z.literal("object"), interface: z.string().min(1).nullable() }),
    z.strictObject({ kind: z.literal("new_id"), interface: z.string().min(1).nullable() }),
  ]),
);

const docSchema = z.string().optional();
const deprecatedSchema = z.string().optional();

/** A named, typed slot: a struct field, an argument, a result. */
export const schemaFieldSchema = z.strictObject({
  name: z.string().min(1),
  type: schemaTypeSchema,
  doc: docSchema,
});
/** A named, typed slot. */
export type SchemaField = z.infer<typeof schemaFieldSchema>;

/** An enum or flags entry; values beyond 2^53 are written as decimal strings. */
export const schemaEnumEntrySchema = z.strictObject({
  name: z.string().min(1),
  value: z.union([z.number().int(), z.string().regex(/^-?[0-9]+$/)]),
  doc: docSchema,
  deprecated: deprecatedSchema,
});
/** An enum or flags entry. */
export type SchemaEnumEntry = z.infer<typeof schemaEnumEntrySchema>;

/** A method of an interface entry. */
export const schemaMethodSchema = z.strictObject({
  name: z.string().min(1),
  params: z.array(schemaFieldSchema),
  results: z.array(schemaFieldSchema),
  /** Qualified names of the declared errors the method may throw. */
  throws: z.array(z.string().min(1)),
  oneway: z.boolean(),
  doc: docSchema,
  deprecated: deprecatedSchema,
});
/** A method of an interface entry. */
export type SchemaMethod = z.infer<typeof schemaMethodSchema>;

/** A signal (D-Bus) or event (Wayland) of an interface entry. */
export const schemaSignalSchema = z.strictObject({
  name: z.string().min(1),
  args: z.array(schemaFieldSchema),
  /**
   * The event-bus topic its events are published to (its `@topic`, or derived from the
   * interface's `@topic("prefix.*")`); absent when it has none. The event data on the bus is an
   * object keyed by the `args` names.
   */
  topic: z.string().min(1).optional(),
  /**
   * `@persistent` (on the signal or its interface): the bus daemon writes the events of `topic` to
   * its event log. Written only when true, so an entry without it hashes as before the field existed.
   */
  persistent: z.literal(true).optional(),
  doc: docSchema,
  deprecated: deprecatedSchema,
});
/** A signal of an interface entry. */
export type SchemaSignal = z.infer<typeof schemaSignalSchema>;

/** A property of an interface entry. */
export const schemaPropertySchema = z.strictObject({
  name: z.string().min(1),
  type: schemaTypeSchema,
  access: z.enum(["read", "write", "readwrite"]),
  notify: z.boolean(),
  doc: docSchema,
  deprecated: deprecatedSchema,
});
/** A property of an interface entry. */
export type SchemaProperty = z.infer<typeof schemaPropertySchema>;

/** `sha256:` followed by 64 lowercase hex digits. */
export const schemaIdSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/);

const entryBase = {
  /** The generator's preamble (`by nova-gen from x.nidl. DO NOT EDIT.`); JSON has no comments. */
  "@generated": z.string().optional(),
  format: z.literal(SCHEMA_ENTRY_FORMAT),
  /** Content hash, see schema-id.ts. */
  id: schemaIdSchema,
  /** Qualified NIDL name (`org.novade.notifications.Urgency`). */
  name: z.string().min(1),
  package: z.string().min(1),
  /** The package's declared version (`package a.b 1.2.0;`). */
  packageVersion: z.string(),
  /** The `.nidl` file the entry came from, relative to the generator's input root. */
  source: z.string(),
  /** Qualified name → id of every type the entry mentions. */
  refs: z.record(z.string(), schemaIdSchema),
  doc: docSchema,
  deprecated: deprecatedSchema,
};

/**
 * `@closed`: values (flags: bits) outside `entries` are invalid. Absent means open: any integer of the
 * underlying type is valid, so a newer version may add entries (written only when true, so an open
 * entry's id is what it was before the field existed).
 */
const closedSchema = z.literal(true).optional();

/** Validates any registry entry. */
export const schemaEntrySchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...entryBase, kind: z.literal("struct"), fields: z.array(schemaFieldSchema) }),
  z.strictObject({ ...entryBase, kind: z.literal("error"), fields: z.array(schemaFieldSchema) }),
  z.strictObject({
    ...entryBase,
    kind: z.literal("enum"),
    underlying: z.enum(SCHEMA_PRIMITIVES),
    entries: z.array(schemaEnumEntrySchema),
    closed: closedSchema,
  }),
  z.strictObject({
    ...entryBase,
    kind: z.literal("flags"),
    underlying: z.enum(SCHEMA_PRIMITIVES),
    entries: z.array(schemaEnumEntrySchema),
    closed: closedSchema,
  }),
  z.strictObject({ ...entryBase, kind: z.literal("typedef"), type: schemaTypeSchema }),
  z.strictObject({
    ...entryBase,
    kind: z.literal("interface"),
    version: z.number().int().min(1),
    methods: z.array(schemaMethodSchema),
    signals: z.array(schemaSignalSchema),
    properties: z.array(schemaPropertySchema),
  }),
]);

/** A registry entry. */
export type SchemaEntry = z.infer<typeof schemaEntrySchema>;
/** The kinds of entry. */
export type SchemaEntryKind = SchemaEntry["kind"];
/** A type entry (everything but interfaces). */
export type SchemaTypeEntry = Exclude<SchemaEntry, { kind: "interface" }>;
/** An interface entry. */
export type SchemaInterfaceEntry = Extract<SchemaEntry, { kind: "interface" }>;
/** An entry before its id and refs are known (what an emitter builds first). */
export type SchemaEntryDraft = SchemaEntry extends infer E ? (E extends SchemaEntry ? Omit<E, "id" | "refs"> : never) : never;
