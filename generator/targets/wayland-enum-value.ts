/**
 * Wayland enum entry values. wayland-scanner copies `value="…"` into C unchanged, so real protocols write
 * C integer constant expressions there (`1 << 0`, `(1 << 2) | 1`, `0x10`). This reads the subset whose C
 * meaning is plain and that NIDL spells the same way: decimal and hexadecimal literals, `<<`, `|`,
 * parentheses and a leading `-` on a literal. Both the importer (XML → NIDL) and the Wayland emitter (which
 * writes an entry's NIDL expression back only when it is such a C expression) use it, so what one reads the
 * other can write.
 */

/** A parsed value: the tree keeps literals as written so the text can be rebuilt token for token. */
export type WaylandValueExpr =
  | { readonly kind: "int"; readonly raw: string; readonly value: bigint }
  | { readonly kind: "neg"; readonly operand: WaylandValueExpr & { kind: "int" } }
  | { readonly kind: "binary"; readonly op: "<<" | "|"; readonly left: WaylandValueExpr; readonly right: WaylandValueExpr }
  | { readonly kind: "paren"; readonly inner: WaylandValueExpr };

/** The evaluated value and its tree, or why the text is not a value this reads. */
export type WaylandValueResult = { readonly ok: true; readonly value: bigint; readonly expr: WaylandValueExpr } | { readonly ok: false; readonly reason: string };

/** Deepest parenthesis nesting read: far beyond real files, and it bounds the recursion on hostile input. */
const MAX_PARENS = 32;
/** C shifts of a 32-bit value by 32 or more are undefined; Wayland values are 32-bit. */
const MAX_SHIFT = 31n;

/** Numbers (a malformed one whole, to name it), operators, and any other single character (to name it). */
const TOKEN = /0[xX][0-9a-fA-F]+(?![0-9A-Za-z_])|[0-9][0-9A-Za-z_]*|<<|[|()-]|\S/g;

class ValueError extends Error {}

/** Reads a Wayland enum entry value. Never throws. */
export function parseWaylandValue(text: string): WaylandValueResult {
  const tokens = [...text.matchAll(TOKEN)].map((m) => m[0]);
  let pos = 0;
  const fail = (reason: string): never => {
    throw new ValueError(reason);
  };
  const literal = (t: string | undefined): WaylandValueExpr & { kind: "int" } => {
    if (t === undefined) return fail("the value ends where a number is expected");
    if (/^0[xX][0-9a-fA-F]+$/.test(t)) return { kind: "int", raw: t, value: BigInt(t) };
    if (/^(0|[1-9][0-9]*)$/.test(t)) return { kind: "int", raw: t, value: BigInt(t) };
    if (/^0[0-9]+$/.test(t)) return fail(`"${t}" has a leading zero, which C reads as octal (write it in decimal or 0x hexadecimal)`);
    if (/^[0-9]/.test(t)) return fail(`"${t}" is not a decimal or 0x hexadecimal integer (no suffixes)`);
    return fail(`"${t}" is not a number (a value may use decimal and 0x integers, <<, | and parentheses)`);
  };
  const primary = (depth: number): WaylandValueExpr => {
    const t = tokens[pos++];
    if (t === "(") {
      if (depth >= MAX_PARENS) fail(`parentheses nested deeper than ${MAX_PARENS}`);
      const inner = or(depth + 1);
      if (tokens[pos++] !== ")") fail("a parenthesis is not closed");
      return { kind: "paren", inner };
    }
    if (t === "-") return { kind: "neg", operand: literal(tokens[pos++]) };
    return literal(t);
  };
  const shift = (depth: number): WaylandValueExpr => {
    let left = primary(depth);
    while (tokens[pos] === "<<") {
      pos++;
      left = { kind: "binary", op: "<<", left, right: primary(depth) };
    }
    return left;
  };
  const or = (depth: number): WaylandValueExpr => {
    let left = shift(depth);
    while (tokens[pos] === "|") {
      pos++;
      left = { kind: "binary", op: "|", left, right: shift(depth) };
    }
    return left;
  };
  try {
    if (tokens.length === 0) return { ok: false, reason: "empty value" };
    const expr = or(0);
    if (pos < tokens.length) fail(`unexpected "${tokens[pos]}" (a value may use decimal and 0x integers, <<, | and parentheses)`);
    return { ok: true, value: evaluate(expr), expr };
  } catch (e) {
    if (e instanceof ValueError) return { ok: false, reason: e.message };
    throw e;
  }
}

function evaluate(e: WaylandValueExpr): bigint {
  switch (e.kind) {
    case "int":
      return e.value;
    case "neg":
      return -e.operand.value;
    case "paren":
      return evaluate(e.inner);
    case "binary": {
      const l = evaluate(e.left);
      const r = evaluate(e.right);
      if (e.op === "|") return l | r;
      if (r < 0n || r > MAX_SHIFT) throw new ValueError(`shift count ${r} is outside 0..${MAX_SHIFT}`);
      return l << r;
    }
  }
}

/** The text of a tree: literals as written, one space around each operator (NIDL's canonical spacing). */
export function waylandValueText(e: WaylandValueExpr): string {
  switch (e.kind) {
    case "int":
      return e.raw;
    case "neg":
      return `-${e.operand.raw}`;
    case "paren":
      return `(${waylandValueText(e.inner)})`;
    case "binary":
      return `${waylandValueText(e.left)} ${e.op} ${waylandValueText(e.right)}`;
  }
}
