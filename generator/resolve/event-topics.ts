/**
 * Event-bus topics of signals and events (`@topic`), and the keys of their event data.
 *
 * The rule (idl/README.md, "Events on the bus"):
 * - `@topic("window.opened")` on a signal is its topic, as written. It must be a concrete topic of
 *   the event bus (dot-separated segments of `[A-Za-z0-9_-]+`, at most 255 characters and 32
 *   segments; no wildcards), because an event is published to exactly one topic.
 * - `@topic("window.*")` on an interface must be a prefix followed by `.*`. A signal of it
 *   without its own `@topic` gets the prefix, a dot and its NIDL name as declared:
 *   `signal Opened` → `window.Opened`. The NIDL name (not `@ts.name`, not the D-Bus name) because
 *   it is the member's identity on every target; as declared (no case change) so that two members
 *   can never derive one topic.
 * Anything that cannot form a valid topic is NIDL2024 and the signal gets no topic.
 *
 * The topic grammar is the runtime's (runtime/events/topic-pattern.ts), imported rather than
 * copied, so the checker accepts exactly what the bus accepts.
 */
import type { Span } from "../ast.js";
import type { ArgModel } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";
import { parsePattern, parseTopic } from "../../runtime/events/topic-pattern.js";

/** An interface's `@topic` read as a prefix: undefined when absent or invalid (reported). */
export function interfaceTopicPrefix(topic: string | undefined, span: Span | undefined, where: Span, diagnostics: Diagnostic[]): string | undefined {
  if (topic === undefined) return undefined;
  const at = span ?? where;
  const problem = syntaxProblem("pattern", topic);
  if (problem !== undefined) {
    diagnostics.push(error("NIDL2024", `@topic("${topic}") is not a valid topic pattern: ${problem}`, at));
    return undefined;
  }
  if (!topic.endsWith(".*") || topic.slice(0, -2).includes("*")) {
    diagnostics.push(
      error("NIDL2024", `@topic on an interface must be a topic prefix followed by ".*" (e.g. "window.*"), not "${topic}": its signals' topics are derived from it`, at),
    );
    return undefined;
  }
  return topic.slice(0, -2);
}

/**
 * The topic of one signal: its own `@topic` (checked), else `prefix.<name>` (checked), else
 * undefined. `name` is the NIDL member name.
 */
export function signalTopic(
  own: { readonly topic: string | undefined; readonly span: Span | undefined },
  prefix: string | undefined,
  name: string,
  nameSpan: Span,
  diagnostics: Diagnostic[],
): string | undefined {
  if (own.topic !== undefined) {
    const problem = syntaxProblem("type", own.topic);
    if (problem === undefined) return own.topic;
    const hint = own.topic.includes("*") ? " (a signal publishes to one concrete topic; wildcards belong on the interface or on listeners)" : "";
    diagnostics.push(error("NIDL2024", `@topic("${own.topic}") is not a valid event topic: ${problem}${hint}`, own.span ?? nameSpan));
    return undefined;
  }
  if (prefix === undefined) return undefined;
  const derived = `${prefix}.${name}`;
  const problem = syntaxProblem("type", derived);
  if (problem === undefined) return derived;
  diagnostics.push(
    error("NIDL2024", `cannot derive an event topic for "${name}" from its interface's @topic: "${derived}" is invalid (${problem}); give it its own @topic("...")`, nameSpan),
  );
  return undefined;
}

/**
 * The keys of a signal's event data on the bus: each argument's NIDL name, or `arg<index>`
 * (0-based) for an unnamed one. The checker reports two arguments with one key (NIDL2004).
 */
export function eventDataKeys(args: readonly ArgModel[]): string[] {
  return args.map((arg, index) => arg.name ?? `arg${index}`);
}

/** The runtime's reason a topic or pattern is invalid, without its repetition of the value. */
function syntaxProblem(kind: "type" | "pattern", value: string): string | undefined {
  try {
    if (kind === "type") parseTopic(value);
    else parsePattern(value);
    return undefined;
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    // The runtime says `invalid event <kind> "<value>": <reason>`.
    const lead = `invalid event ${kind} ${JSON.stringify(value)}: `;
    return message.startsWith(lead) ? message.slice(lead.length) : message;
  }
}
