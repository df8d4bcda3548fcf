/**
 * Groups `///` lines into doc comments and finds which node each belongs to:
 * a doc comment belongs to the node whose first token (an annotation or the
 * keyword) follows it with nothing but whitespace, comments, other docs or
 * that node's annotations in between.
 */
import type { IToken } from "chevrotain";
import type { DocComment } from "../ast.js";

/** A doc comment and the index of the first parser token after it. */
export interface DocBlock {
  doc: DocComment;
  nextTokenIndex: number;
}

function lineText(image: string): string {
  const body = image.slice(3);
  return (body.startsWith(" ") ? body.slice(1) : body).replace(/\s+$/, "");
}

function blockLines(image: string): string[] {
  const inner = image.slice(3, -2);
  const lines = inner.replace(/\r\n/g, "\n").split("\n").map((l) => l.replace(/^\s*\*? ?/, "").replace(/\s+$/, ""));
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function firstIndexAtOrAfter(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Builds doc blocks from the lexer's `docs` group, relative to the parser's token vector. */
export function groupDocs(docTokens: readonly IToken[], tokens: readonly IToken[], text: string, file: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  let current: { lines: string[]; start: number; end: number } | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const doc: DocComment = { kind: "DocComment", style: "line", lines: current.lines, span: { file, start: current.start, end: current.end } };
    blocks.push({ doc, nextTokenIndex: firstIndexAtOrAfter(tokens, current.end) });
    current = undefined;
  };
  for (const t of docTokens) {
    const end = t.startOffset + t.image.length;
    if (t.tokenType.name === "DocBlock") {
      flush();
      const doc: DocComment = { kind: "DocComment", style: "block", lines: blockLines(t.image), span: { file, start: t.startOffset, end } };
      blocks.push({ doc, nextTokenIndex: firstIndexAtOrAfter(tokens, end) });
      continue;
    }
    if (current !== undefined && /^[ \t]*\r?\n[ \t]*$/.test(text.slice(current.end, t.startOffset))) {
      current.lines.push(lineText(t.image));
      current.end = end;
    } else {
      flush();
      current = { lines: [lineText(t.image)], start: t.startOffset, end };
    }
  }
  flush();
  return blocks;
}

/** Hands out doc blocks to nodes by token index; whatever is never claimed is dangling. */
export interface DocAttacher {
  /** The doc for a node whose tokens run from `firstIndex` to `keywordIndex` (inclusive). */
  claim(firstIndex: number, keywordIndex: number): DocComment | undefined;
  /** Blocks nobody claimed. */
  dangling(): DocComment[];
}

/** Creates the attacher for one file. */
export function createDocAttacher(blocks: readonly DocBlock[]): DocAttacher {
  const byIndex = new Map<number, DocBlock[]>();
  for (const b of blocks) {
    const list = byIndex.get(b.nextTokenIndex) ?? [];
    list.push(b);
    byIndex.set(b.nextTokenIndex, list);
  }
  const claimed = new Set<DocBlock>();
  return {
    claim(firstIndex, keywordIndex) {
      const found: DocBlock[] = [];
      for (let i = firstIndex; i <= keywordIndex; i++) {
        for (const b of byIndex.get(i) ?? []) if (!claimed.has(b)) found.push(b);
      }
      if (found.length === 0) return undefined;
      for (const b of found) claimed.add(b);
      if (found.length === 1) return found[0].doc;
      const first = found[0].doc;
      const last = found[found.length - 1].doc;
      return {
        kind: "DocComment",
        style: first.style,
        lines: found.flatMap((b, i) => (i === 0 ? [...b.doc.lines] : ["", ...b.doc.lines])),
        span: { file: first.span.file, start: first.span.start, end: last.span.end },
      };
    },
    dangling() {
      return blocks.filter((b) => !claimed.has(b)).map((b) => b.doc);
    },
  };
}
