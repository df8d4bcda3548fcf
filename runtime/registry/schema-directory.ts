/**
 * Loads registry entries from disk — the I/O edge of the registry. Reads every
 * `*.json` below a directory (sorted, so load order is reproducible) and hands
 * the parsed documents to {@link SchemaRegistry.fromEntries}.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { IPCError } from "../errors.js";
import { SchemaRegistry } from "./schema-registry.js";

/** Reads every `*.json` file below `directory` into a verified registry. */
export async function loadSchemaDirectory(directory: string): Promise<SchemaRegistry> {
  const files = await listJsonFiles(directory);
  const documents: unknown[] = [];
  for (const file of files) {
    const text = await readFile(file, "utf8");
    try {
      documents.push(JSON.parse(text));
    } catch (cause) {
      throw new IPCError("DeserializationError", `${file} is not valid JSON`, { cause, context: { file } });
    }
  }
  try {
    return SchemaRegistry.fromEntries(documents);
  } catch (error) {
    if (error instanceof IPCError) {
      throw new IPCError(error.code, `${directory}: ${error.message}`, { cause: error, context: { ...error.context, directory } });
    }
    throw error;
  }
}

async function listJsonFiles(directory: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(directory, { recursive: true })).map(String);
  } catch (cause) {
    throw new IPCError("InvalidArgument", `cannot read schema directory ${directory}`, { cause, context: { directory } });
  }
  return names
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(directory, name));
}
