/**
 * Wayland enums and bitfields: a const object of the values plus a type, as
 * the `ts` target prints enums (no TS `enum`: erasable syntax, no reverse
 * mapping). An enum's type is the union of its known values; a bitfield's is
 * `number` (any combination of bits). The runtime does not check enum values
 * (neither does libwayland), so a newer peer may deliver a value outside the
 * union: keep a `default` branch when switching over a received one.
 */
import type { StatementStructures, WriterFunction } from "ts-morph";
import type { EnumModel } from "../../model.js";
import { jsDocs } from "../ts/docs.js";
import { declTsName } from "../ts/file-context.js";
import { docText, propertyKey } from "../ts/names.js";
import type { WlFileContext } from "./context.js";

/** A value as written when it was hexadecimal (formats are fourcc codes), else decimal. */
function literal(valueText: string, value: bigint): string {
  return /^0x[0-9a-f]+$/i.test(valueText) && BigInt(valueText) === value ? valueText : value.toString();
}

/** The statements of one enum or bitfield. */
export function enumStatements(ctx: WlFileContext, decl: EnumModel, ownerWaylandName: string): StatementStructures[] {
  const { StructureKind, VariableDeclarationKind } = ctx.tsm;
  const name = declTsName(decl);
  const values: WriterFunction = (writer) => {
    writer.write("{").newLine();
    writer.indent(() => {
      for (const entry of decl.entries) {
        const summary = entry.docs.summary?.replace(/\s*\n\s*/g, " ");
        if (summary !== undefined && summary.trim() !== "") writer.writeLine(`/** ${docText(summary)} */`);
        writer.write(`${propertyKey(entry.targets.wayland.name)}: ${literal(entry.valueText, entry.value)},`).newLine();
      }
    });
    writer.write("} as const");
  };
  const wire = `${ownerWaylandName}.${decl.targets.wayland.name}`;
  return [
    {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      isExported: true,
      docs: jsDocs(decl.docs, { since: decl.since, deprecated: decl.deprecated, note: `The values of ${decl.bitfield ? "bitfield" : "enum"} \`${wire}\`.` }),
      declarations: [{ name, initializer: values }],
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name,
      docs: [
        decl.bitfield
          ? `A combination of the bits of \`${wire}\`.`
          : `One value of \`${wire}\`. A newer peer may send a value not listed here (the runtime does not check enums, like libwayland).`,
      ],
      type: decl.bitfield ? "number" : `(typeof ${name})[keyof typeof ${name}]`,
    },
  ];
}
