/**
 * The TypeScript type of a Wayland argument on each side. The raw values are
 * the runtime's (wayland-api: int/uint/fixed/fd → number, string, array →
 * Uint8Array); what the bindings add is that object and new_id arguments are
 * the typed objects of their interface — proxies on the client side,
 * resources on the server side — and enum arguments the enum's type.
 */
import { createDiagnostic } from "../../diagnostics.js";
import type { ArgModel } from "../../model.js";
import { waylandArgType } from "../../targets/wayland-types.js";
import { declTsName } from "../ts/file-context.js";
import { fromProtocol, interfaceOf, protocolOfPackage, rtValue, type WlFileContext } from "./context.js";
import { wlInterfaceNames } from "./names.js";

/** Which generated class stands for an object: the client's proxy or the server's resource. */
export type WlSide = "proxy" | "resource";

/** The class (printed, imported if needed) of an arg's interface on `side`; the base class for an untyped object. */
export function objectClass(ctx: WlFileContext, a: ArgModel, side: WlSide): string {
  const target = a.interfaceRef === undefined ? undefined : interfaceOf(ctx.model, a.interfaceRef);
  const base = (): string => rtValue(ctx, side === "proxy" ? "WlProxy" : "WlResource");
  if (target === undefined) return base();
  const protocol = protocolOfPackage(ctx, target.package);
  if (target.external && protocol === ctx.protocol) {
    // A stub in the protocol's own package (what `nova-gen import` writes for a protocol imported alone):
    // no module defines its class, so the argument is typed as the base class; its name is still on the wire.
    if (!ctx.warnedExternals.has(target.qualifiedName)) {
      ctx.warnedExternals.add(target.qualifiedName);
      ctx.diagnostics.push(
        createDiagnostic(
          "NIDL3009",
          "warning",
          `interface ${target.targets.wayland.name} is @external in protocol ${protocol} itself, so no module defines its class: arguments of it are typed ${base()}; declare it in a package of its own protocol (e.g. @wayland(protocol = "wayland")) or import that protocol's XML in the same run`,
          a.span,
        ),
      );
    }
    return base();
  }
  const names = wlInterfaceNames(target);
  return fromProtocol(ctx, protocol, side === "proxy" ? names.proxy : names.resource);
}

/**
 * The enum type of an arg (`WlOutputTransform`, imported from its protocol's module), or
 * `number` when the enum is not nested in a Wayland interface (only those are emitted).
 */
function enumType(ctx: WlFileContext, a: ArgModel): string {
  const ref = a.enumRef;
  if (ref === undefined || ref.interface === undefined) return "number";
  const owner = ctx.model.declarations.get(`${ref.package === "" ? "" : `${ref.package}.`}${ref.interface}`);
  if (owner?.kind !== "interface" || !owner.exportedTo.includes("wayland")) return "number";
  return fromProtocol(ctx, protocolOfPackage(ctx, ref.package), declTsName(ref));
}

/** The type of an argument on `side` (for new_id: the created object; untyped new_id: see {@link untypedNewIdType}). */
export function argTsType(ctx: WlFileContext, a: ArgModel, side: WlSide): string {
  const t = waylandArgType(ctx.model, a);
  const type = t.ok ? t.type : "uint";
  let base: string;
  switch (type) {
    case "int":
    case "uint":
      base = a.enumRef === undefined ? "number" : enumType(ctx, a);
      break;
    case "fixed":
    case "fd":
      base = "number";
      break;
    case "string":
      base = "string";
      break;
    case "array":
      base = "Uint8Array";
      break;
    case "object":
      base = objectClass(ctx, a, side);
      break;
    case "new_id":
      base = a.interfaceRef === undefined ? untypedNewIdType() : objectClass(ctx, a, side);
      break;
  }
  return a.allowNull ? `${base} | null` : base;
}

/** The raw form of an untyped new_id (`wl_registry.bind`) received by a server. */
export function untypedNewIdType(): string {
  return "{ interface: string; version: number; id: number }";
}

/** True for a new_id argument that names its interface (the request returns that object). */
export function isTypedNewId(ctx: WlFileContext, a: ArgModel): boolean {
  const t = waylandArgType(ctx.model, a);
  return t.ok && t.type === "new_id" && a.interfaceRef !== undefined;
}

/** True for the untyped new_id of `wl_registry.bind`. */
export function isUntypedNewId(ctx: WlFileContext, a: ArgModel): boolean {
  const t = waylandArgType(ctx.model, a);
  return t.ok && t.type === "new_id" && a.interfaceRef === undefined;
}
