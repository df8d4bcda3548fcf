/**
 * One side (old or new) of a compatibility check: a resolved model plus a way to turn a model span into
 * the location the user wrote (the XML element when the side was imported from XML).
 */
import type { Span } from "../ast.js";
import type { EnumModel, InterfaceModel, MemberModel, Model } from "../model.js";

/** Old or new version of the interfaces under test. */
export interface CompatSide {
  readonly model: Model;
  /** Maps a span in the model (and the dotted key of the construct) to the user's location. */
  readonly locate: (span: Span, key: string) => Span;
}

/** A side whose spans are already the user's (plain `.nidl` inputs). */
export function nidlSide(model: Model): CompatSide {
  return { model, locate: (span) => span };
}

/** How interfaces are matched between versions: their wire name on the target they are exported to. */
export function interfaceKey(i: InterfaceModel): string {
  if (i.exportedTo.includes("dbus")) return `dbus:${i.targets.dbus.name}`;
  if (i.exportedTo.includes("wayland")) return `wayland:${i.targets.wayland.name}`;
  return `nidl:${i.qualifiedName}`;
}

/** A member's wire name on the interface's target. */
export function memberName(i: InterfaceModel, m: MemberModel | EnumModel): string {
  if (i.exportedTo.includes("dbus")) return m.targets.dbus.name;
  if (i.exportedTo.includes("wayland")) return m.targets.wayland.name;
  return m.name;
}

/** The dotted key the importers record origins under (`iface.member`). */
export function originKey(i: InterfaceModel, ...rest: string[]): string {
  const head = i.exportedTo.includes("dbus") ? i.targets.dbus.name : i.exportedTo.includes("wayland") ? i.targets.wayland.name : i.name;
  return [head, ...rest].join(".");
}

/** True for interfaces whose Wayland versioning rules apply. */
export function isWayland(i: InterfaceModel): boolean {
  return i.exportedTo.includes("wayland");
}
