/**
 * Bus-event rules over the whole model (topics themselves are derived and syntax-checked while
 * building, resolve/event-topics.ts):
 * - NIDL2025: two signals of the model publish to one topic. A listener validates a topic's data
 *   against one declaration, so two declarations of one topic would reject each other's events.
 * - NIDL2004: two arguments of a signal with a topic give one event-data key (`arg1` beside an
 *   unnamed second argument).
 * - NIDL2026: `@persistent` on a signal without a topic, or on an interface none of whose signals
 *   has one: nothing would be persisted, so it is a mistake, not a no-op.
 * - NIDL3010: `@topic` / `@persistent` on a Wayland-only interface: its events travel on the
 *   Wayland connection of one object, and no bus code is generated for it.
 */
import type { Model, SignalModel } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";
import { eventDataKeys } from "../resolve/event-topics.js";
import { isWaylandOnly } from "../targets/ts-names.js";

/** Runs the bus-event checks. */
export function checkEventTopics(model: Model, diagnostics: Diagnostic[]): void {
  const byTopic = new Map<string, SignalModel>();
  for (const pkg of model.packages) {
    for (const iface of pkg.interfaces) {
      if (iface.external) continue;
      const topical = iface.signals.filter((s) => s.topic !== undefined);
      if (isWaylandOnly(iface) && (iface.topic !== undefined || iface.persistent || iface.signals.some((s) => s.topic !== undefined || s.persistent))) {
        diagnostics.push(
          error("NIDL3010", `interface ${iface.qualifiedName} is Wayland-only: its events are not published on the event bus, so @topic and @persistent do not apply`, iface.span),
        );
        continue;
      }
      if (iface.persistent && topical.length === 0) {
        diagnostics.push(error("NIDL2026", `@persistent on interface ${iface.qualifiedName}, but none of its signals has an event topic (add @topic("prefix.*"))`, iface.span));
      }
      for (const signal of iface.signals) {
        if (signal.topic === undefined) {
          // An interface-wide @persistent is reported once, above; a signal's own is reported here.
          if (signal.persistent && !iface.persistent) {
            diagnostics.push(error("NIDL2026", `@persistent on ${signal.keyword} "${signal.name}", which has no event topic (add @topic("..."))`, signal.nameSpan));
          }
          continue;
        }
        const previous = byTopic.get(signal.topic);
        if (previous === undefined) byTopic.set(signal.topic, signal);
        else {
          diagnostics.push(
            error("NIDL2025", `${signal.keyword} "${signal.name}" publishes to topic "${signal.topic}", as ${previous.qualifiedName} does; give one of them another @topic`, signal.nameSpan, [
              { message: `${previous.qualifiedName} takes "${signal.topic}" here`, span: previous.nameSpan },
            ]),
          );
        }
        const keys = eventDataKeys(signal.args);
        keys.forEach((key, index) => {
          if (keys.indexOf(key) === index) return;
          const arg = signal.args[index];
          diagnostics.push(
            error("NIDL2004", `argument ${index} of ${signal.keyword} "${signal.name}" has the event-data key "${key}", as argument ${keys.indexOf(key)} does; rename one`, arg?.span ?? signal.nameSpan),
          );
        });
      }
    }
  }
}
