/**
 * fast-check arbitraries for D-Bus signatures and values in the JS
 * representation of runtime/dbus/README.md: a random complete type, then a
 * random value of that type.
 */
import fc from "fast-check";
import { parseSingleType, Variant, type SigType } from "../../runtime/dbus/wire/index.js";

const BASIC = "ybnqiuxtdsogh".split("");

/** A random complete type's signature text, `depth` levels of containers at most. */
export function typeText(depth: number): fc.Arbitrary<string> {
  const basic = fc.constantFrom(...BASIC);
  if (depth <= 0) return basic;
  const inner = typeText(depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: basic },
    { weight: 1, arbitrary: fc.constant("v") },
    { weight: 2, arbitrary: inner.map((t) => `a${t}`) },
    { weight: 2, arbitrary: fc.array(inner, { minLength: 1, maxLength: 4 }).map((ts) => `(${ts.join("")})`) },
    { weight: 2, arbitrary: fc.tuple(basic, inner).map(([k, v]) => `a{${k}${v}}`) },
  );
}

/** A random signature of 0..4 complete types. */
export function signatureText(depth = 3): fc.Arbitrary<string> {
  return fc.array(typeText(depth), { maxLength: 4 }).map((ts) => ts.join(""));
}

/**
 * Code points whose Unicode category is the same for GLib 2.74 (Unicode 15) and Node's ICU: the
 * formatter escapes unassigned code points as GLib does, so code points assigned in a later Unicode
 * version than one side knows would print differently. Controls and format characters included.
 */
const codePoint = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 0x1f }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x7f, max: 0x2ff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x391, max: 0x3a1 }) },
  { weight: 1, arbitrary: fc.constantFrom(0x200b, 0x200e, 0x2028, 0xfeff, 0xfffe, 0xad, 0x600) },
  { weight: 1, arbitrary: fc.integer({ min: 0x4e00, max: 0x9fa5 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xf8ff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x1f600, max: 0x1f64f }) },
  { weight: 1, arbitrary: fc.constantFrom(0xe0001, 0x10fffd, 0x10ffff, 0xdffff) },
);
/** A D-Bus string: any text without NUL. */
export const dbusString = fc.array(codePoint, { maxLength: 12 }).map((cps) => String.fromCodePoint(...cps));
const pathElement = fc.stringMatching(/^[A-Za-z0-9_]{1,6}$/);
/** A valid object path. */
export const objectPath = fc.array(pathElement, { maxLength: 4 }).map((es) => `/${es.join("/")}`);

/** How many descriptors `h` values may name (values 0..FD_COUNT-1). */
export const FD_COUNT = 4;

/** The smallest normal double: GLib.Variant.parse refuses the subnormals below it (strtod's ERANGE). */
const MIN_NORMAL = 2.2250738585072014e-308;
/** Doubles GLib can read back from text: no subnormals. */
const parseableDouble = fc.double().map((x) => (x !== 0 && Math.abs(x) < MIN_NORMAL ? x * 2 ** 60 : x));

/** A random value of type `t`. */
export function valueOf(t: SigType, depth = 2): fc.Arbitrary<unknown> {
  switch (t.text[0]) {
    case "y":
      return fc.integer({ min: 0, max: 255 });
    case "b":
      return fc.boolean();
    case "n":
      return fc.integer({ min: -0x8000, max: 0x7fff });
    case "q":
      return fc.integer({ min: 0, max: 0xffff });
    case "i":
      return fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
    case "u":
      return fc.integer({ min: 0, max: 0xffff_ffff });
    case "x":
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case "t":
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case "d":
      return parseableDouble;
    case "s":
      return dbusString;
    case "o":
      return objectPath;
    case "g":
      return signatureText(2);
    case "h":
      return fc.integer({ min: 0, max: FD_COUNT - 1 });
    case "v":
      return typeText(Math.max(0, depth - 1)).chain((sig) => valueOf(parseSingleType(sig), depth - 1).map((v) => new Variant(sig, v)));
    case "(":
      return fc.tuple(...t.fields!.map((f) => valueOf(f, depth)));
    default:
      break;
  }
  const elem = t.elem!;
  if (elem.code === 121) return fc.uint8Array({ maxLength: 8 });
  if (t.isDict) {
    const [k, v] = elem.fields!;
    return fc
      .uniqueArray(fc.tuple(valueOf(k!, depth), valueOf(v!, depth)), { maxLength: 3, selector: (e) => e[0], comparator: "SameValueZero" })
      .map((entries) => new Map(entries));
  }
  return fc.array(valueOf(elem, depth), { maxLength: 3 });
}

/** A random body: a signature and one value per complete type (doubles limited to those GLib parses back). */
export const body: fc.Arbitrary<{ signature: string; values: unknown[] }> = fc.array(typeText(3), { maxLength: 4 }).chain((types) =>
  fc.tuple(...types.map((t) => valueOf(parseSingleType(t)))).map((values) => ({ signature: types.join(""), values: values as unknown[] })),
);

/** The parsed single type of `text` (re-exported for tests). */
export function typeOf(text: string): SigType {
  return parseSingleType(text);
}
