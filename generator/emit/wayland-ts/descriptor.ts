/**
 * The descriptor constant of an interface: plain data shaped like libwayland's
 * `wl_interface` / `wl_message` (runtime/wayland/descriptor.ts), which the
 * wire codec reads. A message's opcode is its index: requests and events each
 * keep declaration order, as the model does. Every arg records its wire type,
 * the Wayland name of its interface (object/new_id), `nullable` (allow-null)
 * and `enum` (always qualified, `wl_shm.format`, even inside its own
 * interface, so the runtime never has to know where an arg was declared).
 */
import type { StatementStructures, WriterFunction } from "ts-morph";
import type { ArgModel, InterfaceModel, MethodModel, Model, SignalModel } from "../../model.js";
import { waylandArgEnum, waylandArgInterface, waylandArgType } from "../../targets/wayland-types.js";
import { rtType, type WlFileContext } from "./context.js";
import { wlInterfaceNames } from "./names.js";

function argLiteral(model: Model, a: ArgModel): string {
  const t = waylandArgType(model, a);
  // The Wayland target check rejects unmappable types before emitters run.
  const fields = [`name: ${JSON.stringify(a.targets.wayland.name)}`, `type: ${JSON.stringify(t.ok ? t.type : "uint")}`];
  const iface = waylandArgInterface(model, a);
  if (iface !== undefined) fields.push(`interface: ${JSON.stringify(iface)}`);
  if (a.allowNull) fields.push("nullable: true");
  const en = waylandArgEnum(model, a);
  if (en !== undefined) fields.push(`enum: ${JSON.stringify(en.owner === undefined ? en.name : `${en.owner}.${en.name}`)}`);
  return `{ ${fields.join(", ")} }`;
}

function messages(model: Model, list: readonly (MethodModel | SignalModel)[]): WriterFunction {
  return (writer) => {
    writer.write("[");
    if (list.length > 0) writer.newLine();
    writer.indent(() => {
      list.forEach((m, opcode) => {
        const args = m.kind === "method" ? m.inArgs : m.args;
        writer.write(`// opcode ${opcode}`).newLine();
        writer.write("{").newLine();
        writer.indent(() => {
          writer.write(`name: ${JSON.stringify(m.targets.wayland.name)},`).newLine();
          writer.write(`since: ${m.since ?? 1},`).newLine();
          if (m.destructor) writer.write("destructor: true,").newLine();
          if (args.length === 0) {
            writer.write("args: [],").newLine();
            return;
          }
          writer.write("args: [").newLine();
          writer.indent(() => {
            for (const a of args) writer.write(`${argLiteral(model, a)},`).newLine();
          });
          writer.write("],").newLine();
        });
        writer.write("},").newLine();
      });
    });
    writer.write("]");
  };
}

/** `export const wl_surface_interface: WlInterface = { ... }`. */
export function descriptorStatement(ctx: WlFileContext, iface: InterfaceModel): StatementStructures {
  const { StructureKind, VariableDeclarationKind } = ctx.tsm;
  const requests = iface.members.filter((m): m is MethodModel => m.kind === "method");
  const events = iface.members.filter((m): m is SignalModel => m.kind === "signal");
  const initializer: WriterFunction = (writer) => {
    writer.write("{").newLine();
    writer.indent(() => {
      writer.write(`name: ${JSON.stringify(iface.targets.wayland.name)},`).newLine();
      writer.write(`version: ${iface.version},`).newLine();
      writer.write("requests: ");
      messages(ctx.model, requests)(writer);
      writer.write(",").newLine();
      writer.write("events: ");
      messages(ctx.model, events)(writer);
      writer.write(",").newLine();
    });
    writer.write("}");
  };
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    isExported: true,
    docs: [`The wire description of \`${iface.targets.wayland.name}\` version ${iface.version} (libwayland's \`${wlInterfaceNames(iface).descriptor}\`): opcodes are array indexes.`],
    declarations: [{ name: wlInterfaceNames(iface).descriptor, type: rtType(ctx, "WlInterface"), initializer }],
  };
}
