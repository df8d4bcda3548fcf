/**
 * busctl's argument syntax (busctl(1), "PARAMETER FORMATTING"): a signature,
 * then one command-line word per basic value; an array is its element count
 * followed by the elements, a variant its signature followed by its value,
 * structs and dict entries their fields in order. So
 * `a{sv} 2 One s Eins Two u 2` is the map {One: <'Eins'>, Two: <uint32 2>}.
 * `nova dbus call` and `set` take it, so a busctl command line works as is.
 */
import { IPCError } from "../errors.js";
import { doubleOf, integerOf } from "./gvariant-parse.js";
import { MAX_TOTAL_NESTING, T, parseSignature, parseSingleType, type SigType } from "./wire/signature.js";
import { isObjectPath } from "./wire/names.js";
import { Variant } from "./wire/variant.js";

const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);

class Words {
  i = 0;
  constructor(readonly words: readonly string[]) {}

  next(what: string): string {
    const w = this.words[this.i];
    if (w === undefined) throw new IPCError("InvalidArgument", `too few arguments: ${what} expected after ${this.i} argument(s)`, { context: { index: this.i } });
    this.i++;
    return w;
  }
}

function value(t: SigType, words: Words, depth = 0): unknown {
  if (depth > MAX_TOTAL_NESTING) throw new IPCError("InvalidArgument", `values nested more than ${MAX_TOTAL_NESTING} deep (variants count)`);
  switch (t.code) {
    case T.BOOLEAN: {
      const w = words.next("a boolean").toLowerCase();
      if (TRUE.has(w)) return true;
      if (FALSE.has(w)) return false;
      throw new IPCError("InvalidArgument", `${JSON.stringify(w)} is not a boolean (true/yes/on/1 or false/no/off/0)`);
    }
    case T.DOUBLE:
      return doubleOf(words.next("a double"));
    case T.STRING:
      return words.next("a string");
    case T.OBJECT_PATH: {
      const w = words.next("an object path");
      if (!isObjectPath(w)) throw new IPCError("InvalidArgument", `${JSON.stringify(w)} is not an object path`);
      return w;
    }
    case T.SIGNATURE: {
      const w = words.next("a signature");
      parseSignature(w);
      return w;
    }
    case T.VARIANT: {
      const sig = words.next("the signature of a variant");
      return new Variant(sig, value(parseSingleType(sig), words, depth + 1));
    }
    case T.STRUCT:
    case T.DICT_ENTRY:
      return t.fields!.map((f) => value(f, words, depth + 1));
    case T.ARRAY: {
      const countText = words.next(`the element count of an ${t.text}`);
      if (!/^(0|[1-9][0-9]*)$/.test(countText)) throw new IPCError("InvalidArgument", `${JSON.stringify(countText)} is not an element count (type ${t.text})`);
      const count = Number(countText);
      if (count > words.words.length) throw new IPCError("InvalidArgument", `an ${t.text} of ${count} elements, but only ${words.words.length} arguments were given`);
      const items: unknown[] = [];
      for (let n = 0; n < count; n++) items.push(value(t.elem!, words, depth + 1));
      if (t.isDict) return new Map(items as [unknown, unknown][]);
      return t.elem!.code === T.BYTE ? Uint8Array.from(items as number[]) : items;
    }
    default:
      return integerOf(t, words.next(`a value of type ${t.text}`));
  }
}

/**
 * The body of `signature` from busctl-style words. Throws IPCError InvalidArgument for a
 * malformed value, too few words, or words left over.
 */
export function parseBusctlArgs(signature: string, args: readonly string[]): unknown[] {
  const words = new Words(args);
  const body = parseSignature(signature).types.map((t) => value(t, words));
  if (words.i < args.length) {
    throw new IPCError("InvalidArgument", `${args.length - words.i} argument(s) left over after the values of signature "${signature}": ${args.slice(words.i).join(" ")}`);
  }
  return body;
}
