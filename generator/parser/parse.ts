/**
 * Entry point of the front end for one file: lex, parse with recovery, convert
 * the CST to the AST. Returns every syntax diagnostic of the file; never throws
 * on any input text.
 */
import type { IRecognitionException, IToken } from "chevrotain";
import type * as A from "../ast.js";
import { error, type Diagnostic } from "../diagnostics.js";
import { nidlLexer } from "./tokens.js";
import { parseTokens } from "./grammar.js";
import { createDocAttacher, groupDocs } from "./doc-comments.js";
import { convertFile } from "./cst-to-ast-decls.js";
import { findExcessiveNesting, MAX_NESTING } from "./nesting-guard.js";

function commentsOf(groupTokens: readonly IToken[], file: string, diagnostics: Diagnostic[]): A.Comment[] {
  return groupTokens.map((t) => {
    const sp = { file, start: t.startOffset, end: t.startOffset + t.image.length };
    if (t.tokenType.name === "UnterminatedComment") {
      diagnostics.push(error("NIDL1007", "block comment is missing its closing */", { file, start: t.startOffset, end: t.startOffset + 2 }));
    }
    return { kind: "Comment", style: t.image.startsWith("//") ? "line" : "block", text: t.image, span: sp };
  });
}

function parseErrorSpan(e: IRecognitionException, text: string, file: string): A.Span {
  const t = e.token;
  const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
  // A missing ";" is best shown right after what it should follow, like other compilers do.
  if (e.name === "MismatchedTokenException" && e.message.startsWith('expected ";"') && prev && Number.isFinite(prev.startOffset)) {
    const at = prev.startOffset + prev.image.length;
    return { file, start: at, end: at + 1 };
  }
  if (Number.isFinite(t.startOffset) && t.tokenType.name !== "EOF") {
    return { file, start: t.startOffset, end: t.startOffset + Math.max(1, t.image.length) };
  }
  // At the end of the input: point just after the last real token.
  const at = prev && Number.isFinite(prev.startOffset) ? prev.startOffset + prev.image.length : text.length;
  return { file, start: at, end: at };
}

/** Parses one file's text. */
export function parseNidl(text: string, path: string): { file: A.NidlFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lexed = nidlLexer.tokenize(text);
  for (const e of lexed.errors) {
    const ch = text.slice(e.offset, e.offset + Math.max(1, e.length));
    const shown = ch.length > 16 ? ch.slice(0, 16) + "…" : ch;
    diagnostics.push(error("NIDL1001", `unexpected character${ch.length > 1 ? "s" : ""} ${JSON.stringify(shown)}`, { file: path, start: e.offset, end: e.offset + Math.max(1, e.length) }));
  }
  const tooDeep = findExcessiveNesting(lexed.tokens);
  if (tooDeep !== undefined) {
    const at = { file: path, start: tooDeep.startOffset, end: tooDeep.startOffset + tooDeep.image.length };
    diagnostics.push(error("NIDL1009", `nesting deeper than ${MAX_NESTING} levels; the file is not parsed further`, at));
    const span = { file: path, start: 0, end: text.length };
    return { file: { kind: "File", path, span, package: undefined, imports: [], declarations: [], comments: [], danglingDocs: [] }, diagnostics };
  }
  const { cst, errors } = parseTokens(lexed.tokens);
  for (const e of errors) {
    diagnostics.push(error("NIDL1003", e.message, parseErrorSpan(e, text, path)));
  }
  const comments = commentsOf(lexed.groups.comments ?? [], path, diagnostics);
  const blocks = groupDocs(lexed.groups.docs ?? [], lexed.tokens, text, path);
  const docs = createDocAttacher(blocks);
  const tokenIndex = new Map<number, number>();
  lexed.tokens.forEach((t, i) => tokenIndex.set(t.startOffset, i));
  const ctx = { file: path, text, docs, tokenIndex, diagnostics };
  const top = convertFile(ctx, cst);
  const hasSyntaxErrors = diagnostics.length > 0;
  if (top.package === undefined && !hasSyntaxErrors) {
    diagnostics.push(error("NIDL1004", 'missing package declaration (e.g. "package org.novade.example;")', { file: path, start: 0, end: 0 }));
  }
  const file: A.NidlFile = {
    kind: "File",
    path,
    span: { file: path, start: 0, end: text.length },
    package: top.package,
    imports: top.imports,
    declarations: top.declarations,
    comments,
    danglingDocs: docs.dangling(),
  };
  return { file, diagnostics };
}
