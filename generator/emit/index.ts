/**
 * The emitter registry: target name → emitter. The `generate` command and the
 * golden tests iterate it, so a new emitter joins both by one line here.
 */
import type { TargetName } from "../model.js";
import type { EmitterEntry } from "./types.js";
import { emitDbusXml } from "./dbus/index.js";
import { emitWaylandXml } from "./wayland/index.js";
// B2 registers the TypeScript and schema emitters here (one import + one entry each):
import { emitTypeScript } from "./ts/index.js";
import { emitSchema } from "./schema/index.js";
import { emitWaylandTs } from "./wayland-ts/index.js";

/** Every registered emitter, in a fixed order. */
export const EMITTERS: readonly EmitterEntry[] = [
  { target: "dbus", emit: emitDbusXml },
  { target: "wayland", emit: emitWaylandXml },
  { target: "ts", emit: emitTypeScript },
  { target: "schema", emit: emitSchema },
  { target: "wayland-ts", emit: emitWaylandTs },
];

/** The registered emitter of a target, if any. */
export function findEmitter(target: TargetName): EmitterEntry | undefined {
  return EMITTERS.find((e) => e.target === target);
}

/** Targets with a registered emitter. */
export function registeredTargets(): TargetName[] {
  return EMITTERS.map((e) => e.target);
}
