/**
 * The checks that run on the built model, in a fixed order.
 */
import type { Model } from "../model.js";
import type { Diagnostic } from "../diagnostics.js";
import { checkCycles } from "./cycles.js";
import { checkVersions } from "./versions.js";
import { checkDbusTarget } from "./dbus-target.js";
import { checkWaylandTarget } from "./wayland-target.js";
import { checkTsNames } from "./ts-target.js";
import { checkEventTopics } from "./event-topics.js";

/** Runs every model check, appending to `diagnostics`. */
export function runChecks(model: Model, diagnostics: Diagnostic[]): void {
  checkCycles(model, diagnostics);
  checkVersions(model, diagnostics);
  checkDbusTarget(model, diagnostics);
  checkWaylandTarget(model, diagnostics);
  checkEventTopics(model, diagnostics);
  checkTsNames(model, diagnostics);
}
