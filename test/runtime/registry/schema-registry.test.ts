/**
 * The runtime schema registry over real generator output: the registry
 * entries of the committed example (test/generator/ts/example/generated/schema,
 * kept in sync with the emitter by test/generator/ts/example.test.ts).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPCError } from "../../../runtime/errors.js";
import { SchemaRegistry, formatPayloadPath, loadSchemaDirectory } from "../../../runtime/registry/index.js";

const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../generator/ts/example/generated/schema");

function documents(): Record<string, unknown>[] {
  return readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(SCHEMA_DIR, name), "utf8")) as Record<string, unknown>);
}

function validEntry(): Record<string, unknown> {
  return {
    key: "k",
    value: new Uint8Array([1]),
    priority: 2,
    access: 5,
    revision: 3n,
    labels: ["x"],
    attributes: new Map([["a", 1]]),
    counters: { "7": 5 },
    expires: null,
    origin: ["host", 80],
  };
}

function thrown(run: () => void): IPCError {
  try {
    run();
  } catch (error) {
    if (error instanceof IPCError) return error;
    throw error;
  }
  throw new Error("expected an IPCError");
}

describe("SchemaRegistry", () => {
  it("loads a directory of generated entries and finds them by id and by name", async () => {
    const registry = await loadSchemaDirectory(SCHEMA_DIR);
    const names = registry.entries().map((entry) => entry.name);
    expect(names).toEqual([
      "org.novade.example.Access",
      "org.novade.example.Denied",
      "org.novade.example.Entry",
      "org.novade.example.NotFound",
      "org.novade.example.Priority",
      "org.novade.example.Store",
    ]);
    const entry = registry.require("org.novade.example.Entry");
    expect(registry.get(entry.id)).toBe(entry);
    expect(registry.get("org.novade.example.Entry@2.1.0")).toBe(entry);
    expect(registry.get("org.novade.example.Entry@9.9.9")).toBeUndefined();
    expect(registry.get("org.novade.Missing")).toBeUndefined();
    expect(entry.packageVersion).toBe("2.1.0");
    expect(entry.kind === "struct" && entry.fields.map((field) => field.name)).toContain("revision");
  });

  it("turns unreadable directories and files into typed errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nova-registry-"));
    try {
      writeFileSync(join(dir, "broken.json"), "{ not json");
      await expect(loadSchemaDirectory(dir)).rejects.toMatchObject({ code: "DeserializationError" });
      writeFileSync(join(dir, "broken.json"), JSON.stringify({ format: 1, kind: "struct" }));
      await expect(loadSchemaDirectory(dir)).rejects.toMatchObject({ code: "InvalidArgument" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(loadSchemaDirectory(join(dir, "missing"))).rejects.toMatchObject({ code: "InvalidArgument" });
  });

  it("validates payloads, accepting what msgpack peers send", () => {
    const registry = SchemaRegistry.fromEntries(documents());
    expect(registry.check("org.novade.example.Entry", validEntry())).toBeNull();
    // A small u64 may arrive as a number; a missing optional is fine.
    const withoutOptional: Record<string, unknown> = { ...validEntry(), revision: 3 };
    delete withoutOptional["expires"];
    expect(registry.check("org.novade.example.Entry", withoutOptional)).toBeNull();
    registry.validateArgs("org.novade.example.Store", "put", [validEntry()]);
    registry.validateArgs("org.novade.example.Store", "find", ["prefix"]);
    registry.validateArgs("org.novade.example.Store", "changed", ["k", 1n, 0]);
    registry.validateResult("org.novade.example.Store", "remove", [true, 3]);
    registry.validateResult("org.novade.example.Store", "put", 2n ** 64n - 1n);
    registry.validateProperty("org.novade.example.Store", "size", 4);
  });

  it("reports the path of a mismatch as MessageValidationFailed", () => {
    const registry = SchemaRegistry.fromEntries(documents());
    const cases: [() => void, (string | number)[]][] = [
      [() => registry.validate("org.novade.example.Entry", { ...validEntry(), priority: 256 }), ["priority"]],
      [() => registry.validate("org.novade.example.Entry", { ...validEntry(), access: 2 ** 32 }), ["access"]],
      [() => registry.validate("org.novade.example.Entry", { ...validEntry(), labels: ["a", 3] }), ["labels", 1]],
      [() => registry.validate("org.novade.example.Entry", { ...validEntry(), counters: { x: 1 } }), ["counters", "x"]],
      [() => registry.validate("org.novade.example.Entry", { ...validEntry(), origin: ["host", 70000] }), ["origin", 1]],
      [() => registry.validate("org.novade.example.Entry", { ...validEntry(), revision: -1n }), ["revision"]],
      [() => registry.validateArgs("org.novade.example.Store", "put", [{ ...validEntry(), key: undefined }]), ["args", 0, "key"]],
      [() => registry.validateArgs("org.novade.example.Store", "get", ["a", "b"]), ["args"]],
      [() => registry.validateResult("org.novade.example.Store", "remove", [true, "x"]), ["result", 1]],
      [() => registry.validateProperty("org.novade.example.Store", "name", 5), ["name"]],
    ];
    for (const [run, path] of cases) {
      const error = thrown(run);
      expect(error.code).toBe("MessageValidationFailed");
      expect(error.context["path"]).toEqual(path);
      expect(error.message).toContain(formatPayloadPath(path));
    }
    expect(thrown(() => registry.validateArgs("org.novade.example.Store", "nope", [])).code).toBe("MethodNotFound");
    expect(thrown(() => registry.validate("org.novade.Missing", 1)).code).toBe("InvalidArgument");
    expect(thrown(() => registry.validate("org.novade.example.Store", 1)).code).toBe("InvalidArgument");
  });

  it("rejects malformed entries, tampered ids and dangling references", () => {
    const docs = documents();
    expect(thrown(() => SchemaRegistry.fromEntries([{ kind: "struct" }])).code).toBe("InvalidArgument");
    const tampered = docs.map((doc) =>
      doc["name"] === "org.novade.example.Priority" ? { ...doc, entries: [{ name: "low", value: 5 }] } : doc,
    );
    expect(thrown(() => SchemaRegistry.fromEntries(tampered)).message).toMatch(/does not match its content/);
    const withoutPriority = docs.filter((doc) => doc["name"] !== "org.novade.example.Priority");
    expect(thrown(() => SchemaRegistry.fromEntries(withoutPriority)).message).toMatch(/not loaded/);
    // Docs do not change an id.
    const redocumented = docs.map((doc) => ({ ...doc, doc: "changed documentation" }));
    expect(SchemaRegistry.fromEntries(redocumented).entries().length).toBe(docs.length);
  });

  it("never throws anything but IPCError, whatever the payload", () => {
    const registry = SchemaRegistry.fromEntries(documents());
    const names = registry.entries().filter((entry) => entry.kind !== "interface").map((entry) => entry.name);
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.anything({ withBigInt: true, withMap: true, withTypedArray: true }), (name, value) => {
        try {
          registry.validate(name, value);
        } catch (error) {
          expect(error).toBeInstanceOf(IPCError);
          expect((error as IPCError).code).toBe("MessageValidationFailed");
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.anything({ withBigInt: true, withMap: true }), { maxLength: 3 }), (args) => {
        try {
          registry.validateArgs("org.novade.example.Store", "put", args);
        } catch (error) {
          expect((error as IPCError).code).toBe("MessageValidationFailed");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("rejects random documents with IPCError only", () => {
    const base = documents()[0] as Record<string, unknown>;
    const mutated = fc.record({ key: fc.constantFrom(...Object.keys(base)), value: fc.anything() }).map(({ key, value }) => ({ ...base, [key]: value }));
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutated), (document) => {
        try {
          SchemaRegistry.fromEntries([document]);
        } catch (error) {
          expect(error).toBeInstanceOf(IPCError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("refuses payloads nested deeper than the limit instead of overflowing the stack", () => {
    const registry = SchemaRegistry.fromEntries([
      ...documents(),
    ]);
    let deep: unknown = "leaf";
    for (let depth = 0; depth < 10_000; depth++) deep = [deep];
    const error = thrown(() => registry.validateArgs("org.novade.example.Store", "find", [deep]));
    expect(error.code).toBe("MessageValidationFailed");
  });
});
