/**
 * Version rules: every `@since` and `deprecated since` inside an interface is at
 * most the interface's version, and `since` never decreases along the
 * interface's methods, signals and properties (each kind separately: Wayland
 * requests and events have their own opcode spaces, and new ones are appended).
 */
import type { Deprecation, InterfaceModel, Model } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";
import type { Span } from "../ast.js";

function checkAtMost(iface: InterfaceModel, what: string, since: number | undefined, span: Span, diagnostics: Diagnostic[], verb = "is @since"): void {
  if (since !== undefined && since > iface.version) {
    const said = verb === "is @since" ? `is @since(${since})` : `${verb} ${since}`;
    diagnostics.push(
      error("NIDL2009", `${what} ${said} but interface "${iface.name}" is only version ${iface.version}`, span, [
        { message: `raise @version of "${iface.name}" to at least ${since}`, span: iface.span },
      ]),
    );
  }
}

function checkDeprecated(iface: InterfaceModel, what: string, since: number | undefined, dep: Deprecation | undefined, span: Span, diagnostics: Diagnostic[]): void {
  if (dep?.since === undefined) return;
  checkAtMost(iface, what, dep.since, span, diagnostics, "is deprecated since version");
  if (since !== undefined && dep.since < since) {
    diagnostics.push(error("NIDL2010", `${what} is deprecated since version ${dep.since}, before it appeared (${since})`, span));
  }
}

/** Runs the version rules over every interface. */
export function checkVersions(model: Model, diagnostics: Diagnostic[]): void {
  for (const pkg of model.packages) {
    for (const iface of pkg.interfaces) {
      // Per kind: requests and events have separate opcode spaces; properties have none but read alike.
      const highest = new Map<string, { since: number; name: string }>();
      for (const m of iface.members) {
        const what = `${m.kind === "method" ? m.keyword : m.kind === "signal" ? m.keyword : "property"} "${m.name}"`;
        checkAtMost(iface, what, m.since, m.span, diagnostics);
        checkDeprecated(iface, what, m.since, m.deprecated, m.span, diagnostics);
        const since = m.since ?? 1;
        const top = highest.get(m.kind);
        if (top !== undefined && since < top.since) {
          diagnostics.push(
            error("NIDL2010", `${what} (since ${since}) comes after "${top.name}" (since ${top.since}); versions must only increase along an interface`, m.span),
          );
        } else {
          highest.set(m.kind, { since, name: m.name });
        }
      }
      for (const e of iface.enums) {
        checkAtMost(iface, `enum "${e.name}"`, e.since, e.span, diagnostics);
        for (const entry of e.entries) {
          checkAtMost(iface, `entry "${e.name}.${entry.name}"`, entry.since, entry.span, diagnostics);
          checkDeprecated(iface, `entry "${e.name}.${entry.name}"`, entry.since, entry.deprecated, entry.span, diagnostics);
        }
      }
    }
  }
}
