/**
 * Which way values of each enum travel: from clients to servers (method arguments, property writes) or
 * from servers to clients (results, signal and event arguments, property reads, the fields of declared
 * errors). A reader that rejects unknown values (`@closed`) breaks when a newer writer adds one, so the
 * compat rules for closed enums depend on where they can reach an older reader.
 */
import type { InterfaceModel, Model, TypeModel } from "../model.js";

/** Qualified names of the enums reachable in each direction. */
export interface EnumFlow {
  readonly toServers: ReadonlySet<string>;
  readonly toClients: ReadonlySet<string>;
}

/** Collects the enums a type reaches, through containers, structs and typedef expansions. */
function collect(model: Model, type: TypeModel, into: Set<string>, seenStructs: Set<string>): void {
  switch (type.kind) {
    case "enum":
      into.add(type.ref.qualifiedName);
      return;
    case "list":
      collect(model, type.element, into, seenStructs);
      return;
    case "optional":
      collect(model, type.inner, into, seenStructs);
      return;
    case "map":
      collect(model, type.key, into, seenStructs);
      collect(model, type.value, into, seenStructs);
      return;
    case "tuple":
      for (const element of type.elements) collect(model, element, into, seenStructs);
      return;
    case "struct": {
      if (seenStructs.has(type.ref.qualifiedName)) return;
      seenStructs.add(type.ref.qualifiedName);
      const decl = model.declarations.get(type.ref.qualifiedName);
      if (decl?.kind === "struct") for (const field of decl.fields) collect(model, field.type, into, seenStructs);
      return;
    }
    default:
      return;
  }
}

function flowOf(model: Model, iface: InterfaceModel, toServers: Set<string>, toClients: Set<string>): void {
  const down = (type: TypeModel) => collect(model, type, toClients, new Set());
  const up = (type: TypeModel) => collect(model, type, toServers, new Set());
  for (const member of iface.members) {
    if (member.kind === "method") {
      for (const arg of member.inArgs) up(arg.type);
      for (const arg of member.outArgs) down(arg.type);
      for (const ref of member.throws) {
        const decl = model.declarations.get(ref.qualifiedName);
        if (decl?.kind === "error") for (const field of decl.fields) down(field.type);
      }
    } else if (member.kind === "signal") {
      for (const arg of member.args) down(arg.type);
    } else {
      if (member.access !== "write") down(member.type);
      if (member.access !== "read") up(member.type);
    }
  }
}

/** The directions every enum of `model` travels in, over its non-`@external` interfaces. */
export function enumFlow(model: Model): EnumFlow {
  const toServers = new Set<string>();
  const toClients = new Set<string>();
  for (const pkg of model.packages) for (const iface of pkg.interfaces) if (!iface.external) flowOf(model, iface, toServers, toClients);
  return { toServers, toClients };
}
