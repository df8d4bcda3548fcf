/**
 * Offset → line/column conversion, done only when rendering. Columns count
 * UTF-16 code units from 1, like most editors' "column" for BMP text.
 */

/** Line starts of one text, for repeated lookups. */
export interface LineIndex {
  /** 1-based line and column of an offset (clamped into the text). */
  position(offset: number): { line: number; column: number };
  /** The text of a 1-based line without its line break. */
  lineText(line: number): string;
}

/** Builds the index of a text. */
export function createLineIndex(text: string): LineIndex {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) starts.push(i + 1);
  }
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    position(offset) {
      const clamped = Math.max(0, Math.min(offset, text.length));
      const line = lineOf(clamped);
      return { line: line + 1, column: clamped - starts[line] + 1 };
    },
    lineText(line) {
      const start = starts[line - 1] ?? text.length;
      const next = starts[line] ?? text.length + 1;
      return text.slice(start, next - 1).replace(/\r$/, "");
    },
  };
}
