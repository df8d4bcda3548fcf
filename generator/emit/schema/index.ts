/**
 * The schema-registry emitter: one JSON document per type and per interface
 * (`schema/<qualified name>.json`), each with a content-hash id, the package
 * version and its fields with their types. Keys are sorted and arrays keep
 * declaration order, so output is byte-identical run to run. The entry format
 * is `schemaEntrySchema` of runtime/registry, re-exported here: the runtime
 * loads exactly what this writes.
 */
import type { Diagnostic } from "../../diagnostics.js";
import type { Model } from "../../model.js";
import { computeSchemaId, referencedNames } from "../../../runtime/registry/schema-id.js";
import { schemaEntrySchema, type SchemaEntry, type SchemaEntryDraft } from "../../../runtime/registry/schema-entry.js";
import { preambleText } from "../preamble.js";
import type { EmitOptions, EmitResult, Emitter, GeneratedFile } from "../types.js";
import { entryDrafts } from "./entry-drafts.js";
import { prettyCanonicalJson } from "./pretty-json.js";

export { schemaEntrySchema, type SchemaEntry } from "../../../runtime/registry/schema-entry.js";

/** The output path of an entry. */
export function schemaEntryPath(name: string): string {
  return `schema/${name}.json`;
}

/** Builds the complete entries (ids and refs filled in) of a model. */
export function buildSchemaEntries(model: Model, options: Pick<EmitOptions, "sourceName">): { entries: SchemaEntry[]; diagnostics: Diagnostic[] } {
  const drafts = entryDrafts(model);
  const byName = new Map<string, SchemaEntryDraft>(drafts.map((draft) => [draft.name, draft]));
  const ids = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const draft of drafts) {
    const computed = computeSchemaId(draft, (name) => byName.get(name));
    // The resolver guarantees every reference resolves; a miss is a bug in the model, not the user's input.
    if (!computed.ok) throw new Error(`model invariant: ${draft.name} refers to unknown types ${computed.missing.join(", ")}`);
    ids.set(draft.name, computed.id);
  }
  const entries: SchemaEntry[] = [];
  for (const draft of drafts) {
    const id = ids.get(draft.name);
    if (id === undefined) continue;
    const refs: Record<string, string> = {};
    for (const name of referencedNames(draft)) {
      const target = ids.get(name);
      if (target !== undefined) refs[name] = target;
    }
    const generated = preambleText([draft.source], options).replace(/^@generated /, "");
    entries.push(schemaEntrySchema.parse({ ...draft, "@generated": generated, id, refs }));
  }
  return { entries, diagnostics };
}

/** Emits one registry entry per type and interface. */
export const emitSchema: Emitter = async (model: Model, options: EmitOptions): Promise<EmitResult> => {
  const { entries, diagnostics } = buildSchemaEntries(model, options);
  const files: GeneratedFile[] = entries.map((entry) => ({ path: schemaEntryPath(entry.name), content: `${prettyCanonicalJson(entry)}\n` }));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics };
};
