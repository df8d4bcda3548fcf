/**
 * Small typed accessors over chevrotain's loosely typed CST children, so the
 * converter reads `tok(n, "Name")` instead of casting. Tokens inserted by error
 * recovery (no offsets, empty image) count as absent.
 */
import type { CstElement, CstNode, IToken } from "chevrotain";

function isToken(e: CstElement): e is IToken {
  return (e as IToken).tokenType !== undefined;
}

/** A real token (not a recovery insertion). */
export function isRealToken(t: IToken | undefined): t is IToken {
  return t !== undefined && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

/** Tokens under `key` in source order, recovery insertions dropped. */
export function toks(n: CstNode | undefined, key: string): IToken[] {
  const list = n?.children[key] ?? [];
  return list.filter(isToken).filter(isRealToken);
}

/** The i-th token under `key`, if present. */
export function tok(n: CstNode | undefined, key: string, i = 0): IToken | undefined {
  return toks(n, key)[i];
}

/** Sub-nodes under `key` in source order. */
export function nodes(n: CstNode | undefined, key: string): CstNode[] {
  const list = n?.children[key] ?? [];
  return list.filter((e): e is CstNode => !isToken(e));
}

/** The i-th sub-node under `key`, if present. */
export function node(n: CstNode | undefined, key: string, i = 0): CstNode | undefined {
  return nodes(n, key)[i];
}

/** Start offset of a node (NaN-safe: undefined when recovery left it empty). */
export function nodeStart(n: CstNode | undefined): number | undefined {
  const s = n?.location?.startOffset;
  return s !== undefined && Number.isFinite(s) ? s : undefined;
}

/** End offset (exclusive) of a node. */
export function nodeEnd(n: CstNode | undefined): number | undefined {
  const e = n?.location?.endOffset;
  return e !== undefined && Number.isFinite(e) ? e + 1 : undefined;
}

/** Every real token of a subtree (any key), sorted by offset. */
export function allTokens(n: CstNode | undefined): IToken[] {
  const out: IToken[] = [];
  const walk = (x: CstNode): void => {
    for (const list of Object.values(x.children)) {
      for (const e of list) {
        if (isToken(e)) {
          if (isRealToken(e)) out.push(e);
        } else walk(e);
      }
    }
  };
  if (n !== undefined) walk(n);
  return out.sort((a, b) => a.startOffset - b.startOffset);
}
