/**
 * Type declarations: structs, enums, flags, errors, typedefs and constants,
 * each as ts-morph statement structures (a type plus its zod schema).
 *
 * Enums are printed as a frozen const object plus a union type of its values
 * (`Urgency.Low` and `type Urgency = 0 | 1 | 2`) rather than a TS `enum`:
 * the value on the wire is the number itself, the output stays erasable
 * syntax (it runs under Node's type stripping and `isolatedModules`), there is
 * no reverse mapping to confuse `Object.values`, and the union type makes an
 * exhaustive `switch` checkable.
 */
import type { JSDocStructure, OptionalKind, StatementStructures, WriterFunction } from "ts-morph";
import type { ConstModel, EnumModel, ErrorModel, FieldModel, StructModel, TypedefModel } from "../../model.js";
import { constTsName, declTsName, runtime, runtimeType, zod, type FileContext } from "./file-context.js";
import { errorDataName, flagsHelperNames } from "../../targets/ts-names.js";
import { jsDocs } from "./docs.js";
import { docText, propertyKey } from "./names.js";
import { integerSchema, isBigintPrimitive, schemaName, tsType, zodSchema } from "./type-mapping.js";

/** Statements for an enum or flags declaration. */
export function enumStatements(ctx: FileContext, decl: EnumModel): StatementStructures[] {
  const { StructureKind, VariableDeclarationKind } = ctx.tsm;
  const name = declTsName(decl);
  const big = isBigintPrimitive(decl.underlying);
  const literal = (value: bigint): string => (big ? `${value}n` : value.toString());
  const z = zod(ctx);
  const values: WriterFunction = (writer) => {
    writer.write("{").newLine();
    writer.indent(() => {
      for (const entry of decl.entries) {
        const doc = jsDocs(entry.docs, { since: entry.since, deprecated: entry.deprecated })[0];
        if (doc !== undefined) writeInlineDoc(writer, doc.description, doc.tags ?? []);
        writer.write(`${propertyKey(entry.name)}: ${literal(entry.value)},`).newLine();
      }
    });
    writer.write("} as const");
  };
  const kindWord = decl.bitfield ? "flags" : "enum";
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      isExported: true,
      docs: jsDocs(decl.docs, { since: decl.since, deprecated: decl.deprecated, note: `The values of ${kindWord} \`${decl.qualifiedName}\`.` }),
      declarations: [{ name, initializer: values }],
    },
  ];
  if (decl.bitfield) {
    statements.push(...flagsStatements(ctx, decl, name, big, literal));
  } else {
    statements.push(...(decl.closed ? closedEnumStatements(ctx, decl, name, big, literal) : openEnumStatements(ctx, decl, name, big)));
  }
  return statements;
}

/** A `@closed` enum: the union of its values; anything else is rejected on receive. */
function closedEnumStatements(ctx: FileContext, decl: EnumModel, name: string, big: boolean, literal: (value: bigint) => string): StatementStructures[] {
  const z = zod(ctx);
  const valueList = decl.entries.map((entry) => literal(entry.value)).join(", ");
  const check = decl.entries.length === 0 ? `${z}.never()` : `${z}.literal([${valueList}])`;
  return [
    {
      kind: ctx.tsm.StructureKind.TypeAlias,
      isExported: true,
      name,
      docs: jsDocs(decl.docs, { deprecated: decl.deprecated, note: "Closed (`@closed`): a received value that is not listed is rejected." }),
      type: `(typeof ${name})[keyof typeof ${name}]`,
    },
    schemaStatement(ctx, name, big ? `${integerSchema(ctx, decl.underlying)}.pipe(${check})` : check, decl.qualifiedName),
  ];
}

/**
 * An open enum (the default): a newer peer may send an entry this version does not know, so the type is
 * the known values or an {@link UnknownEnumValue}, and the schema accepts any integer of the underlying type.
 * The value is kept as it came, so it can be passed on or sent back unchanged.
 */
function openEnumStatements(ctx: FileContext, decl: EnumModel, name: string, big: boolean): StatementStructures[] {
  const unknown = runtimeType(ctx, "UnknownEnumValue");
  return [
    {
      kind: ctx.tsm.StructureKind.TypeAlias,
      isExported: true,
      name,
      docs: jsDocs(decl.docs, {
        deprecated: decl.deprecated,
        note: "Open: a newer peer may send a value not listed here; it arrives as an `UnknownEnumValue` (a `switch` needs a `default`).",
      }),
      type: `(typeof ${name})[keyof typeof ${name}] | ${unknown}<${big ? "bigint" : "number"}, ${JSON.stringify(decl.qualifiedName)}>`,
    },
    // Every integer of the underlying type is a value of the enum, known or not: the cast only adds the brand.
    schemaStatement(ctx, name, `${integerSchema(ctx, decl.underlying)}.transform((value) => value as ${name})`, decl.qualifiedName),
  ];
}

function flagsStatements(
  ctx: FileContext,
  decl: EnumModel,
  name: string,
  big: boolean,
  literal: (value: bigint) => string,
): StatementStructures[] {
  const { StructureKind } = ctx.tsm;
  const mask = decl.entries.reduce((bits, entry) => bits | entry.value, 0n);
  const numberType = big ? "bigint" : "number";
  const { has: hasName, names: namesName } = flagsHelperNames(name);
  // Bitwise operators work on int32 for numbers, so a u32 bit 31 compares as `bits | 0`.
  const same = (left: string, right: string): string => (big ? `(${left}) === ${right}` : `(${left}) === (${right} | 0)`);
  const unknownBits = big ? `(value & ~${literal(mask)}) === 0n` : `(value & ~${literal(mask)}) === 0`;
  return [
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name,
      docs: jsDocs(decl.docs, {
        deprecated: decl.deprecated,
        note: decl.closed
          ? `A combination of \`${name}\` bits. Closed (\`@closed\`): a received value with other bits is rejected.`
          : `A combination of \`${name}\` bits. Open: bits a newer peer added are kept as they came.`,
      }),
      type: numberType,
    },
    // Open flags keep bits this version does not know (a newer peer's); `@closed` ones reject them.
    schemaStatement(
      ctx,
      name,
      decl.closed
        ? `${integerSchema(ctx, decl.underlying)}.refine((value) => ${unknownBits}, "bits outside ${decl.qualifiedName}")`
        : integerSchema(ctx, decl.underlying),
      decl.qualifiedName,
    ),
    {
      kind: StructureKind.Function,
      isExported: true,
      name: hasName,
      docs: [`True when every bit of \`bits\` is set in \`value\`.`],
      parameters: [
        { name: "value", type: name },
        { name: "bits", type: name },
      ],
      returnType: "boolean",
      statements: [`return ${same("value & bits", "bits")};`],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: namesName,
      docs: [`The names of the \`${name}\` entries whose bits are all set in \`value\`, in declaration order.`],
      parameters: [{ name: "value", type: name }],
      returnType: `Array<keyof typeof ${name}>`,
      statements: [
        `const names: Array<keyof typeof ${name}> = [];`,
        [
          `for (const key of [${decl.entries.map((entry) => JSON.stringify(entry.name)).join(", ")}] as const) {`,
          `  const bit: ${numberType} = ${name}[key];`,
          `  if (bit !== ${big ? "0n" : "0"} && ${same("value & bit", "bit")}) names.push(key);`,
          "}",
        ].join("\n"),
        "return names;",
      ],
    },
  ];
}

/** Statements for a struct: an interface and its schema. */
export function structStatements(ctx: FileContext, decl: StructModel): StatementStructures[] {
  const name = declTsName(decl);
  return [
    fieldsInterface(ctx, name, decl.fields, jsDocs(decl.docs, { since: decl.since, deprecated: decl.deprecated })),
    schemaStatement(ctx, name, objectSchema(ctx, decl.fields), decl.qualifiedName),
  ];
}

/** Statements for an error: its data type, the data schema and the error class. */
export function errorStatements(ctx: FileContext, decl: ErrorModel): StatementStructures[] {
  const { StructureKind } = ctx.tsm;
  const name = declTsName(decl);
  const dataName = errorDataName(name);
  const base = runtime(ctx, "DeclaredError");
  const parse = runtime(ctx, "parsePayload");
  const owner = decl.qualifiedName.slice(0, decl.qualifiedName.lastIndexOf("."));
  const noFields = decl.fields.length === 0;
  return [
    fieldsInterface(ctx, dataName, decl.fields, [`The fields of error \`${decl.qualifiedName}\`.`]),
    schemaStatement(ctx, dataName, objectSchema(ctx, decl.fields), `the fields of ${decl.qualifiedName}`),
    {
      kind: StructureKind.Class,
      isExported: true,
      name,
      extends: `${base}<${dataName}>`,
      docs: jsDocs(decl.docs, {
        since: decl.since,
        deprecated: decl.deprecated,
        note: `Declared error \`${decl.qualifiedName}\`: thrown by a server implementation, it reaches the client as this class.`,
      }),
      properties: [
        {
          name: "errorName",
          isStatic: true,
          isReadonly: true,
          docs: ["The qualified NIDL name of this error."],
          initializer: JSON.stringify(decl.qualifiedName),
        },
        { name: "errorName", isReadonly: true, hasOverrideKeyword: true, initializer: `${name}.errorName` },
      ],
      ctors: [
        {
          parameters: [
            { name: "message", type: "string" },
            noFields ? { name: "data", type: dataName, initializer: "{}" } : { name: "data", type: dataName },
          ],
          statements: ["super(message, data);", `this.name = ${JSON.stringify(name)};`],
        },
      ],
      methods: [
        {
          name: "revive",
          isStatic: true,
          docs: ["Rebuilds the error from what arrived over the wire; its data is validated first."],
          parameters: [
            { name: "message", type: "string" },
            { name: "data", type: "unknown" },
          ],
          returnType: name,
          statements: [
            `return new ${name}(message, ${parse}(${schemaName(dataName)}, data ?? {}, ${JSON.stringify(owner)}, ${JSON.stringify(decl.name)}, "error"));`,
          ],
        },
      ],
    },
  ];
}

/** Statements for a typedef: a type alias and its schema. */
export function typedefStatements(ctx: FileContext, decl: TypedefModel): StatementStructures[] {
  const { StructureKind } = ctx.tsm;
  const name = declTsName(decl);
  // The typedef's own type must be printed expanded, not as a reference to itself.
  const own = decl.type.alias?.qualifiedName === decl.qualifiedName ? { ...decl.type, alias: undefined } : decl.type;
  return [
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name,
      docs: jsDocs(decl.docs, { since: decl.since, deprecated: decl.deprecated }),
      type: tsType(ctx, own),
    },
    schemaStatement(ctx, name, zodSchema(ctx, own), decl.qualifiedName),
  ];
}

/** A constant. 64-bit integers are bigint literals. */
export function constStatement(ctx: FileContext, decl: ConstModel): StatementStructures {
  const { StructureKind, VariableDeclarationKind } = ctx.tsm;
  const name = constTsName(decl);
  const big = decl.type.kind === "primitive" && isBigintPrimitive(decl.type.name);
  let initializer: string;
  switch (decl.value.kind) {
    case "integer":
      initializer = big ? `${decl.value.value}n` : decl.value.value.toString();
      break;
    case "float":
      initializer = Number.isFinite(decl.value.value)
        ? String(decl.value.value)
        : Number.isNaN(decl.value.value)
          ? "Number.NaN"
          : decl.value.value > 0
            ? "Number.POSITIVE_INFINITY"
            : "Number.NEGATIVE_INFINITY";
      break;
    case "string":
      initializer = JSON.stringify(decl.value.value);
      break;
    case "bool":
      initializer = String(decl.value.value);
      break;
  }
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    isExported: true,
    docs: jsDocs(decl.docs, { since: decl.since, deprecated: decl.deprecated }),
    declarations: [{ name, initializer }],
  };
}

function fieldsInterface(ctx: FileContext, name: string, fields: readonly FieldModel[], docs: (OptionalKind<JSDocStructure> | string)[]): StatementStructures {
  return {
    kind: ctx.tsm.StructureKind.Interface,
    isExported: true,
    name,
    docs,
    properties: fields.map((field) => ({
      name: propertyKey(field.name),
      type: tsType(ctx, field.type),
      docs: jsDocs(field.docs, { since: field.since, deprecated: field.deprecated }),
    })),
  };
}

/** `z.object({...})` over fields, keys as on the wire. */
export function objectSchema(ctx: FileContext, fields: readonly FieldModel[]): string {
  const z = zod(ctx);
  if (fields.length === 0) return `${z}.object({})`;
  const members = fields.map((field) => `  ${propertyKey(field.name)}: ${zodSchema(ctx, field.type)},`);
  return `${z}.object({\n${members.join("\n")}\n})`;
}

/** `export const XSchema: z.ZodType<X> = ...`. */
function schemaStatement(ctx: FileContext, typeName: string, initializer: string, what: string): StatementStructures {
  const { StructureKind, VariableDeclarationKind } = ctx.tsm;
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    isExported: true,
    docs: [`Validates a received ${docText(what)}.`],
    declarations: [{ name: schemaName(typeName), type: `${zod(ctx)}.ZodType<${typeName}>`, initializer }],
  };
}

/** Writes a JSDoc comment inside an object literal (ts-morph has no structure for that). */
function writeInlineDoc(
  writer: Parameters<WriterFunction>[0],
  description: string | WriterFunction | undefined,
  tags: readonly { tagName: string; text?: string | WriterFunction }[],
): void {
  const lines = [typeof description === "string" ? description.trim() : "", ...tags.map((tag) => `@${tag.tagName}${typeof tag.text === "string" ? ` ${tag.text}` : ""}`)]
    .join("\n")
    .split("\n")
    .filter((line, index, all) => line !== "" || (index > 0 && index < all.length - 1));
  if (lines.length === 1) {
    writer.writeLine(`/** ${lines[0]} */`);
    return;
  }
  writer.writeLine("/**");
  for (const line of lines) writer.writeLine(line === "" ? " *" : ` * ${line}`);
  writer.writeLine(" */");
}
