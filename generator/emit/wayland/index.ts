/**
 * The Wayland protocol XML emitter: one `wayland/<protocol>.xml` per package
 * that has `@wayland` interfaces.
 */
import type { Emitter } from "../types.js";

/** Emits Wayland protocol XML. */
export const emitWaylandXml: Emitter = async () => ({ files: [], diagnostics: [] });
