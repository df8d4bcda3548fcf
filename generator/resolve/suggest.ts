/**
 * "Did you mean …?" for unknown names: the closest candidate by edit
 * distance, if it is close enough to be a plausible typo.
 */

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The best candidate within a third of the name's length (at most 3 edits; none for names under 3 characters), ties broken alphabetically. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.floor(name.length / 3));
  if (limit === 0) return undefined;
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    if (c === name) continue;
    const d = distance(name, c);
    if (d > limit) continue;
    if (best === undefined || d < best.d || (d === best.d && c < best.c)) best = { c, d };
  }
  return best?.c;
}
