/**
 * Re-attaches the non-doc comments of a parsed file while the printer walks the AST in source order.
 *
 * The AST lists comments by offset only (see `NidlFile.comments`); a comment is printed before the first
 * node that starts after it, or at the end of the line of the node that ends just before it on the same line.
 */
import type { Comment } from "../ast.js";

/** A cursor over a file's comments, consumed in source order. */
export interface CommentQueue {
  /** Comments that start before `offset` and were not printed yet. */
  takeBefore(offset: number): Comment[];
  /** The comment that starts on the same source line right after `offset` (a trailing comment), if any. */
  takeTrailing(offset: number): Comment | undefined;
  /** True when an unprinted comment starts before `offset` (peek, nothing is consumed). */
  hasBefore(offset: number): boolean;
  /** Everything not printed yet. */
  rest(): Comment[];
}

/** Creates the queue; without source text no comment counts as trailing. */
export function createCommentQueue(comments: readonly Comment[], source: string | undefined): CommentQueue {
  const sorted = [...comments].sort((a, b) => a.span.start - b.span.start);
  let next = 0;
  return {
    takeBefore(offset) {
      const out: Comment[] = [];
      while (next < sorted.length && sorted[next]!.span.start < offset) out.push(sorted[next++]!);
      return out;
    },
    takeTrailing(offset) {
      const c = sorted[next];
      if (c === undefined || source === undefined || c.span.start < offset) return undefined;
      const between = source.slice(offset, c.span.start);
      // Only a line comment can trail (a block comment may be followed by more code on its line).
      if (c.style !== "line" || between.includes("\n") || !/^[\s;,]*$/.test(between)) return undefined;
      next++;
      return c;
    },
    hasBefore(offset) {
      return next < sorted.length && sorted[next]!.span.start < offset;
    },
    rest() {
      const out = sorted.slice(next);
      next = sorted.length;
      return out;
    },
  };
}
