/**
 * Model → schema-registry entry drafts (everything but `id` and `refs`, which
 * need the whole set). One draft per struct, error, enum, flags, typedef and
 * interface, nested declarations included.
 */
import type { ArgModel, Deprecation, EnumModel, ErrorModel, FieldModel, InterfaceModel, Model, PackageModel, StructModel, TypedefModel, TypeModel } from "../../model.js";
import {
  SCHEMA_ENTRY_FORMAT,
  type SchemaEntryDraft,
  type SchemaField,
  type SchemaType,
} from "../../../runtime/registry/schema-entry.js";
import { docsText } from "../ts/docs.js";

/** A draft plus the source file it came from. */
export interface EntryDraft {
  readonly draft: SchemaEntryDraft;
  readonly source: string;
}

/** The schema type of a NIDL type (typedef aliases are already expanded in the model). */
export function schemaType(type: TypeModel): SchemaType {
  switch (type.kind) {
    case "primitive":
      return { kind: "primitive", name: type.name };
    case "list":
      return { kind: "list", element: schemaType(type.element) };
    case "map":
      return { kind: "map", key: schemaType(type.key), value: schemaType(type.value) };
    case "optional":
      return { kind: "optional", inner: schemaType(type.inner) };
    case "tuple":
      return { kind: "tuple", elements: type.elements.map(schemaType) };
    case "struct":
    case "enum":
      return { kind: "named", name: type.ref.qualifiedName };
    case "object":
    case "new_id":
      return { kind: type.kind, interface: type.interface?.qualifiedName ?? null };
  }
}

function deprecation(value: Deprecation | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.reason ?? (value.since === undefined ? "deprecated" : `deprecated since version ${value.since}`);
}

function field(value: FieldModel): SchemaField {
  return { name: value.name, type: schemaType(value.type), doc: docsText(value.docs) };
}

function arg(value: ArgModel, index: number): SchemaField {
  return { name: value.name ?? `arg${index}`, type: schemaType(value.type), doc: docsText(value.docs) };
}

type Common = Pick<SchemaEntryDraft, "format" | "name" | "package" | "packageVersion" | "source" | "doc" | "deprecated">;

function common(pkg: PackageModel, decl: StructModel | ErrorModel | EnumModel | TypedefModel | InterfaceModel): Common {
  return {
    format: SCHEMA_ENTRY_FORMAT,
    name: decl.qualifiedName,
    package: pkg.name,
    packageVersion: pkg.version,
    source: decl.span.file,
    doc: docsText(decl.docs),
    deprecated: deprecation(decl.deprecated),
  };
}

function enumValue(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function typeDrafts(pkg: PackageModel, holder: Pick<PackageModel, "structs" | "errors" | "enums" | "typedefs">): SchemaEntryDraft[] {
  return [
    ...holder.structs.map((decl): SchemaEntryDraft => ({ ...common(pkg, decl), kind: "struct", fields: decl.fields.map(field) })),
    ...holder.errors.map((decl): SchemaEntryDraft => ({ ...common(pkg, decl), kind: "error", fields: decl.fields.map(field) })),
    ...holder.enums.map(
      (decl): SchemaEntryDraft => ({
        ...common(pkg, decl),
        kind: decl.bitfield ? "flags" : "enum",
        underlying: decl.underlying,
        entries: decl.entries.map((entry) => ({
          name: entry.name,
          value: enumValue(entry.value),
          doc: docsText(entry.docs),
          deprecated: deprecation(entry.deprecated),
        })),
        ...(decl.closed ? { closed: true as const } : {}),
      }),
    ),
    ...holder.typedefs.map((decl): SchemaEntryDraft => ({ ...common(pkg, decl), kind: "typedef", type: schemaType(decl.type) })),
  ];
}

function interfaceDraft(pkg: PackageModel, iface: InterfaceModel): SchemaEntryDraft {
  return {
    ...common(pkg, iface),
    kind: "interface",
    version: iface.version,
    methods: iface.methods.map((method) => ({
      name: method.name,
      params: method.inArgs.map(arg),
      results: method.outArgs.map(arg),
      throws: method.throws.map((ref) => ref.qualifiedName),
      oneway: method.oneway,
      doc: docsText(method.docs),
      deprecated: deprecation(method.deprecated),
    })),
    signals: iface.signals.map((signal) => ({
      name: signal.name,
      args: signal.args.map(arg),
      topic: signal.topic,
      // Only for a signal with a topic (it says what the daemon does with the topic's events).
      persistent: signal.persistent && signal.topic !== undefined ? (true as const) : undefined,
      doc: docsText(signal.docs),
      deprecated: deprecation(signal.deprecated),
    })),
    properties: iface.properties.map((property) => ({
      name: property.name,
      type: schemaType(property.type),
      access: property.access,
      notify: property.notify,
      doc: docsText(property.docs),
      deprecated: deprecation(property.deprecated),
    })),
  };
}

/** Every entry draft of the model, packages in order, declarations in declaration order. */
export function entryDrafts(model: Model): SchemaEntryDraft[] {
  return model.packages.flatMap((pkg) => [
    ...typeDrafts(pkg, pkg),
    // An @external interface is defined elsewhere: its nested types are used here, its entry is not ours.
    ...pkg.interfaces.flatMap((iface) => [...typeDrafts(pkg, iface), ...(iface.external ? [] : [interfaceDraft(pkg, iface)])]),
  ]);
}
