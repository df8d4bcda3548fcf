/**
 * The D-Bus introspection XML emitter: one `dbus/<package>.xml` per package
 * that has `@dbus` interfaces, holding them all in one `<node>`.
 */
import Handlebars from "handlebars";
import type { InterfaceModel, Model } from "../../model.js";
import type { Emitter } from "../types.js";
import { preambleText, withFinalNewline } from "../preamble.js";
import { DBUS_INTERFACE_TEMPLATE, DBUS_TEMPLATE } from "./template.js";
import { dbusFileView, interfaceView, type DbusFileView, type InterfaceView } from "./view-model.js";

const renderInterface = Handlebars.compile<InterfaceView>(DBUS_INTERFACE_TEMPLATE, { noEscape: true, strict: true });
const render = Handlebars.compile<DbusFileView>(DBUS_TEMPLATE, { noEscape: true, strict: true });

/** Emits D-Bus introspection XML. */
export const emitDbusXml: Emitter = async (model, options) => {
  const files = model.packages
    .filter((p) => p.interfaces.some((i) => i.exportedTo.includes("dbus") && !i.external))
    .map((p) => ({
      path: `dbus/${p.name}.xml`,
      content: withFinalNewline(render(dbusFileView(model, p, preambleText(p.files, options)), { partials: { interface: renderInterface } })),
    }));
  return { files, diagnostics: [] };
};

/**
 * The `<interface>` element of one `@dbus` interface, byte for byte as the
 * emitted file holds it (doc comment included, two-space indented, ending in a newline).
 */
export function dbusInterfaceXml(model: Model, iface: InterfaceModel): string {
  return renderInterface(interfaceView(model, iface));
}
