/**
 * TSDoc from NIDL doc comments: the summary and description, plus the tags a
 * reader of the generated API needs (`@param`, `@returns`, `@deprecated`,
 * `@since`, `@throws`).
 */
import type { JSDocStructure, JSDocTagStructure, OptionalKind } from "ts-morph";
import type { Deprecation, Docs } from "../../model.js";
import { docText } from "./names.js";

/** Extra facts to document beside the doc comment. */
export interface DocExtras {
  readonly deprecated?: Deprecation | undefined;
  readonly since?: number | undefined;
  readonly params?: readonly { readonly name: string; readonly text: string | undefined }[];
  readonly returns?: string | undefined;
  readonly throws?: readonly string[];
  /** A sentence added after the doc text (what the generated symbol is). */
  readonly note?: string;
}

/**
 * The text of a {@link Docs}: summary, a blank line, description. (`Docs.raw`
 * is not used: TSDoc reflows anyway, and the summary/description split is what
 * every other target prints.)
 */
export function docsText(docs: Docs | undefined): string | undefined {
  const parts = [docs?.summary, docs?.description].filter((part): part is string => part !== undefined && part.trim() !== "");
  return parts.length === 0 ? undefined : parts.join("\n\n");
}

/** JSDoc structures for a declaration; empty when there is nothing to say. */
export function jsDocs(docs: Docs | undefined, extras: DocExtras = {}): OptionalKind<JSDocStructure>[] {
  const text = [docsText(docs), extras.note].filter((part): part is string => part !== undefined).join("\n\n");
  const tags: OptionalKind<JSDocTagStructure>[] = [];
  for (const param of extras.params ?? []) {
    if (param.text !== undefined && param.text.trim() !== "") tags.push({ tagName: "param", text: `${param.name} - ${docText(oneLine(param.text))}` });
  }
  if (extras.returns !== undefined && extras.returns.trim() !== "") tags.push({ tagName: "returns", text: docText(extras.returns) });
  for (const thrown of extras.throws ?? []) tags.push({ tagName: "throws", text: docText(thrown) });
  if (extras.since !== undefined) tags.push({ tagName: "since", text: String(extras.since) });
  if (extras.deprecated !== undefined) {
    const parts = [extras.deprecated.reason, extras.deprecated.since === undefined ? undefined : `(since version ${extras.deprecated.since})`];
    const reason = parts.filter((part): part is string => part !== undefined).join(" ");
    tags.push(reason === "" ? { tagName: "deprecated" } : { tagName: "deprecated", text: docText(reason) });
  }
  if (text === "" && tags.length === 0) return [];
  if (text === "") return [{ tags }];
  const description = docText(text);
  return [{ description: tags.length > 0 || description.includes("\n") ? `\n${description}` : description, tags }];
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
