/**
 * What one comparison found: breaking changes (diagnostics pointing at the old construct, with a note at
 * the new one) and compatible changes (kinds from change-kinds.ts, located in the new version).
 */
import type { Span } from "../ast.js";
import { error, type Diagnostic, type DiagnosticCode } from "../diagnostics.js";
import type { CompatibleChange, CompatibleChangeKind } from "./change-kinds.js";
import type { CompatSide } from "./compat-side.js";
import { enumFlow, type EnumFlow } from "./enum-flow.js";

/** A construct's span and the dotted key its importer recorded its XML origin under. */
export interface At {
  readonly span: Span;
  readonly key: string;
}

/** Collects findings of one comparison. */
export class Findings {
  readonly list: Diagnostic[] = [];
  readonly compatible: CompatibleChange[] = [];
  /** Where the old version's enums travel (computed once, on first use). */
  #oldFlow: EnumFlow | undefined;
  constructor(readonly oldSide: CompatSide, readonly newSide: CompatSide) {}

  /** The directions the enums of the old version travel in. */
  get oldFlow(): EnumFlow {
    this.#oldFlow ??= enumFlow(this.oldSide.model);
    return this.#oldFlow;
  }

  /** Reports a break at `oldAt` (old version) with a note at `newAt` (new version). */
  report(code: DiagnosticCode, message: string, oldAt: At, newAt: At | undefined, newNote: string): void {
    const oldSpan = this.oldSide.locate(oldAt.span, oldAt.key);
    const newSpan = newAt === undefined ? undefined : this.newSide.locate(newAt.span, newAt.key);
    this.list.push(error(code, message, oldSpan, [{ message: newNote, span: newSpan }]));
  }

  /** Records a compatible change at `newAt` (new version). */
  accept(kind: CompatibleChangeKind, message: string, newAt: At | undefined): void {
    this.compatible.push({ kind, message, span: newAt === undefined ? undefined : this.newSide.locate(newAt.span, newAt.key) });
  }
}
