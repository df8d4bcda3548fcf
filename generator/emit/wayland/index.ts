/**
 * The Wayland protocol XML emitter: one `wayland/<protocol>.xml` per package
 * that has `@wayland` interfaces.
 */
import Handlebars from "handlebars";
import type { Emitter } from "../types.js";
import { preambleText, withFinalNewline } from "../preamble.js";
import { WAYLAND_TEMPLATE } from "./template.js";
import { waylandFileView, type WaylandFileView } from "./view-model.js";

const render = Handlebars.compile<WaylandFileView>(WAYLAND_TEMPLATE, { noEscape: true, strict: true });

/** Emits Wayland protocol XML. */
export const emitWaylandXml: Emitter = async (model, options) => {
  const opts = { deprecatedSinceAttribute: options.waylandDeprecatedSince === true };
  const files = model.packages
    .filter((p) => p.interfaces.some((i) => i.exportedTo.includes("wayland") && !i.external))
    .map((p) => ({
      path: `wayland/${p.waylandProtocol}.xml`,
      content: withFinalNewline(render(waylandFileView(model, p, preambleText(p.files, options), opts))),
    }));
  return { files, diagnostics: [] };
};
