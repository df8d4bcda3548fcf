/**
 * Small zod combinators printed (only when used) at the top of a generated
 * file. They encode what a msgpack peer may legitimately send — an int64 as a
 * number, a map as a plain object, an absent optional as undefined — and
 * normalise it to the one TypeScript shape the generated types promise.
 *
 * They are printed into the file rather than imported from the runtime so that
 * they are built by the same `zod` instance as the rest of the file's schemas.
 */
import type { VariableStatementStructure } from "ts-morph";
import type { Tsm } from "./tsm.js";

/** The helpers, in the order they are printed. */
export const ZOD_HELPER_NAMES = ["$int64", "$bytes", "$optional", "$map"] as const;
/** One helper's name. */
export type ZodHelperName = (typeof ZOD_HELPER_NAMES)[number];

/** How a map's keys are read back when the map arrived as a plain object (text keys). */
export type MapKeyMode = "text" | "number" | "bigint" | "boolean";

const HELPER_INITIALIZERS: Readonly<Record<ZodHelperName, { doc: string; initializer: string }>> = {
  $int64: {
    doc: "A 64-bit integer: bigint in TypeScript; a msgpack peer may send a small one as a number.",
    initializer:
      "(min: bigint, max: bigint): z.ZodType<bigint> =>\n" +
      "  z.union([z.bigint(), z.number().int()]).transform((value) => BigInt(value)).pipe(z.bigint().min(min).max(max))",
  },
  $bytes: {
    doc: "Bytes: a plain `Uint8Array`; a Node `Buffer` (what msgpack decodes to) becomes a view of the same memory.",
    initializer:
      "z.instanceof(Uint8Array).transform((value): Uint8Array =>\n" +
      "  Object.getPrototypeOf(value) === Uint8Array.prototype ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength))",
  },
  $optional: {
    doc: "An optional value: `null` when absent, whether it arrived as null or undefined.",
    initializer:
      "<T>(inner: z.ZodType<T>): z.ZodType<T | null> =>\n" +
      "  inner.nullish().transform((value): T | null => value ?? null)",
  },
  $map: {
    doc: "A map: a `Map` in TypeScript; a msgpack peer may send it as a plain object with text keys.",
    initializer:
      '<K, V>(key: z.ZodType<K>, value: z.ZodType<V>, keys: "text" | "number" | "bigint" | "boolean"): z.ZodType<Map<K, V>> =>\n' +
      "  z.preprocess((input: unknown) => {\n" +
      '    if (input === null || typeof input !== "object" || Object.getPrototypeOf(input) !== Object.prototype) return input;\n' +
      "    const readKey = (text: string): unknown => {\n" +
      '      if (keys === "boolean") return text === "true" ? true : text === "false" ? false : text;\n' +
      '      if (keys === "text") return text;\n' +
      '      if (keys === "bigint") return /^-?[0-9]+$/.test(text) ? BigInt(text) : text;\n' +
      "      return String(Number(text)) === text ? Number(text) : text;\n" +
      "    };\n" +
      "    return new Map(Object.entries(input).map(([k, v]): [unknown, unknown] => [readKey(k), v]));\n" +
      "  }, z.map(key, value))",
  },
};

/** The statements defining the used helpers, in a fixed order. */
export function zodHelperStatements(tsm: Tsm, used: ReadonlySet<ZodHelperName>): VariableStatementStructure[] {
  return ZOD_HELPER_NAMES.filter((name) => used.has(name)).map((name) => ({
    kind: tsm.StructureKind.VariableStatement,
    declarationKind: tsm.VariableDeclarationKind.Const,
    docs: [HELPER_INITIALIZERS[name].doc],
    declarations: [{ name, initializer: HELPER_INITIALIZERS[name].initializer }],
  }));
}
