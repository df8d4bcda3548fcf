/**
 * The D-Bus introspection XML emitter: one `dbus/<package>.xml` per package
 * that has `@dbus` interfaces, holding them all in one `<node>`.
 */
import Handlebars from "handlebars";
import type { Emitter } from "../types.js";
import { preambleText, withFinalNewline } from "../preamble.js";
import { DBUS_TEMPLATE } from "./template.js";
import { dbusFileView, type DbusFileView } from "./view-model.js";

const render = Handlebars.compile<DbusFileView>(DBUS_TEMPLATE, { noEscape: true, strict: true });

/** Emits D-Bus introspection XML. */
export const emitDbusXml: Emitter = async (model, options) => {
  const files = model.packages
    .filter((p) => p.interfaces.some((i) => i.exportedTo.includes("dbus") && !i.external))
    .map((p) => ({
      path: `dbus/${p.name}.xml`,
      content: withFinalNewline(render(dbusFileView(model, p, preambleText(p.files, options)))),
    }));
  return { files, diagnostics: [] };
};
