/**
 * A trie of topic patterns: one node per pattern segment, with the two wildcards as dedicated
 * children. A lookup walks only the branches the topic can match, so 10,000 handlers on other
 * topics cost nothing; the bus additionally caches the result per concrete topic.
 */

interface TrieNode<T> {
  /** Literal children by segment. */
  readonly children: Map<string, TrieNode<T>>;
  /** The `*` child. */
  star: TrieNode<T> | undefined;
  /** The `**` child. */
  globstar: TrieNode<T> | undefined;
  /** Values whose pattern ends here, in insertion order. */
  readonly values: Set<T>;
  /** Identity for the visited set of one lookup. */
  readonly id: number;
}

/** Patterns (already split into segments, see `parsePattern`) mapped to sets of values. */
export class TopicTrie<T> {
  private nextNodeId = 0;
  private readonly root: TrieNode<T> = this.node();
  private count = 0;

  /** Number of (pattern, value) entries. */
  get size(): number {
    return this.count;
  }

  private node(): TrieNode<T> {
    return { children: new Map(), star: undefined, globstar: undefined, values: new Set(), id: this.nextNodeId++ };
  }

  /** Adds `value` under `pattern`; false if it was already there. */
  add(pattern: readonly string[], value: T): boolean {
    let n = this.root;
    for (const seg of pattern) {
      if (seg === "*") n = n.star ??= this.node();
      else if (seg === "**") n = n.globstar ??= this.node();
      else {
        let c = n.children.get(seg);
        if (c === undefined) n.children.set(seg, (c = this.node()));
        n = c;
      }
    }
    if (n.values.has(value)) return false;
    n.values.add(value);
    this.count++;
    return true;
  }

  /** True when `value` is stored under exactly `pattern`. */
  has(pattern: readonly string[], value: T): boolean {
    return this.find(pattern)?.values.has(value) ?? false;
  }

  /** Values stored under exactly `pattern` (not matched: the pattern's own node). */
  valuesAt(pattern: readonly string[]): ReadonlySet<T> | undefined {
    return this.find(pattern)?.values;
  }

  /** Removes `value` from `pattern` and prunes empty nodes; false if it was not there. */
  remove(pattern: readonly string[], value: T): boolean {
    const path: TrieNode<T>[] = [this.root];
    for (const seg of pattern) {
      const n = this.child(path[path.length - 1]!, seg);
      if (n === undefined) return false;
      path.push(n);
    }
    if (!path[path.length - 1]!.values.delete(value)) return false;
    this.count--;
    // Prune from the leaf up so a long-lived bus with churning patterns does not leak nodes.
    for (let i = pattern.length; i > 0; i--) {
      const n = path[i]!;
      if (n.values.size > 0 || n.children.size > 0 || n.star !== undefined || n.globstar !== undefined) break;
      const parent = path[i - 1]!;
      const seg = pattern[i - 1]!;
      if (seg === "*") parent.star = undefined;
      else if (seg === "**") parent.globstar = undefined;
      else parent.children.delete(seg);
    }
    return true;
  }

  /** Every value whose pattern matches the concrete `topic`, each once, in no particular order. */
  match(topic: readonly string[]): T[] {
    const out = new Set<T>();
    const visited = new Set<number>();
    const width = topic.length + 1;
    const walk = (n: TrieNode<T>, i: number): void => {
      // (node, position) pairs repeat when several `**` can absorb the same segments.
      const key = n.id * width + i;
      if (visited.has(key)) return;
      visited.add(key);
      if (n.globstar !== undefined) for (let k = i; k <= topic.length; k++) walk(n.globstar, k);
      if (i === topic.length) {
        for (const v of n.values) out.add(v);
        return;
      }
      const lit = n.children.get(topic[i]!);
      if (lit !== undefined) walk(lit, i + 1);
      if (n.star !== undefined) walk(n.star, i + 1);
    };
    walk(this.root, 0);
    return [...out];
  }

  private find(pattern: readonly string[]): TrieNode<T> | undefined {
    let n: TrieNode<T> | undefined = this.root;
    for (const seg of pattern) {
      n = this.child(n, seg);
      if (n === undefined) return undefined;
    }
    return n;
  }

  private child(n: TrieNode<T>, seg: string): TrieNode<T> | undefined {
    return seg === "*" ? n.star : seg === "**" ? n.globstar : n.children.get(seg);
  }
}
