/**
 * The D-Bus introspection XML emitter: one `dbus/<package>.xml` per package
 * that has `@dbus` interfaces.
 */
import type { Emitter } from "../types.js";

/** Emits D-Bus introspection XML (filled in by the dbus emitter module). */
export const emitDbusXml: Emitter = async () => ({ files: [], diagnostics: [] });
