/**
 * The two validators of a payload — the zod schemas in generated TypeScript
 * and the runtime schema registry loading the generated entries — must agree
 * on what is valid, or a message accepted by a component could be refused by
 * a registry-checking bus (or the reverse).
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SchemaRegistry } from "../../../runtime/registry/index.js";
import { EntrySchema } from "./example/generated/org.novade.example.js";

const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "example/generated/schema");
const registry = SchemaRegistry.fromEntries(
  readdirSync(SCHEMA_DIR).map((name) => JSON.parse(readFileSync(join(SCHEMA_DIR, name), "utf8")) as unknown),
);

const valid: Record<string, unknown> = {
  key: "k",
  value: new Uint8Array([1, 2]),
  priority: 1,
  access: 3,
  revision: 7n,
  labels: ["a"],
  attributes: new Map([["x", 1]]),
  counters: new Map([[1, 2n]]),
  expires: 5n,
  origin: ["h", 1],
};

/** Values that sit on the edges of the NIDL types. */
const edgy = fc.oneof(
  fc.constantFrom<unknown>(
    null, undefined, 0, -1, 1.5, 255, 256, 2 ** 32, -(2 ** 31), 2 ** 53, Number.NaN, 0n, -1n, 2n ** 64n, 2n ** 63n,
    "", "x", true, [], [1], ["a", 1], {}, { "1": 3 }, { "x": 1 }, new Map(), new Map([["k", 1n]]), new Map([[1, 3]]),
    new Uint8Array(0), [1, 2], ["h", 70000], ["h", -1], 3, 4, 7, 8,
  ),
  fc.anything({ withBigInt: true, withMap: true, maxDepth: 2 }),
);

describe("generated zod schemas and the schema registry", () => {
  it("agree on valid and invalid payloads", () => {
    expect(EntrySchema.safeParse(valid).success).toBe(true);
    expect(registry.check("org.novade.example.Entry", valid)).toBeNull();
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(valid)), edgy, (field, value) => {
        const payload = { ...valid, [field]: value };
        const zodOk = EntrySchema.safeParse(payload).success;
        const registryOk = registry.check("org.novade.example.Entry", payload) === null;
        expect(registryOk, `${field} = ${fc.stringify(value)}`).toBe(zodOk);
      }),
      { numRuns: 2000 },
    );
  });
});
