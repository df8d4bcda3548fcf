/**
 * The catalogue of NIDL diagnostic codes. Ranges: 1xxx syntax, 2xxx semantics,
 * 3xxx target compatibility, 4xxx importers, 5xxx compatibility (breaking
 * changes) checks. A code, once published, keeps its meaning; retired codes are
 * not reused. Other stages (importers, compat, formatter) add their codes here.
 */
export const DIAGNOSTIC_CODES = {
  // ---- 1xxx syntax
  NIDL1001: "unexpected character",
  NIDL1002: "unterminated string or quoted identifier",
  NIDL1003: "syntax error",
  NIDL1004: "missing package declaration",
  NIDL1005: "invalid number literal",
  NIDL1006: "invalid escape sequence in string",
  NIDL1007: "unterminated block comment",
  NIDL1008: "package or import in the wrong place",
  NIDL1009: "nesting too deep",
  // ---- 2xxx semantics
  NIDL2001: "unknown name",
  NIDL2002: "duplicate declaration",
  NIDL2003: "duplicate member",
  NIDL2004: "duplicate argument, field or entry",
  NIDL2005: "import not found",
  NIDL2006: "declaration of the wrong kind",
  NIDL2007: "illegal cycle",
  NIDL2008: "wrong number of type arguments",
  NIDL2009: "@since exceeds the interface version",
  NIDL2010: "versions must only increase",
  NIDL2011: "unknown annotation",
  NIDL2012: "invalid annotation argument",
  NIDL2013: "annotation not allowed here",
  NIDL2014: "value out of range",
  NIDL2015: "constant value does not match its type",
  NIDL2016: "invalid map key type",
  NIDL2017: "invalid version",
  NIDL2018: "invalid property accessors",
  NIDL2019: "nested optional",
  NIDL2020: "expression cannot be evaluated",
  NIDL2021: "duplicate enum value",
  NIDL2022: "invalid enum underlying type",
  NIDL2023: "definition chain too deep",
  NIDL2024: "invalid event topic",
  NIDL2025: "duplicate event topic",
  NIDL2026: "@persistent without an event topic",
  // ---- 3xxx target compatibility
  NIDL3001: "type not expressible on D-Bus",
  NIDL3002: "type not expressible on Wayland",
  NIDL3003: "construct not supported by Wayland",
  NIDL3004: "construct not supported by D-Bus",
  NIDL3005: "invalid D-Bus name",
  NIDL3006: "invalid Wayland name",
  NIDL3007: "Wayland enum must belong to a Wayland interface",
  NIDL3008: "name collision on target",
  NIDL3009: "interface is not exported to this target",
  NIDL3010: "Wayland-only interface cannot publish bus events",
  // ---- 4xxx importers (owned by the importers, issue 4)
  NIDL4001: "malformed XML",
  NIDL4002: "invalid D-Bus or Wayland XML structure",
  NIDL4003: "information lost on import",
  NIDL4004: "invalid D-Bus type signature",
  NIDL4005: "unresolved reference in imported XML",
  NIDL4006: "invalid value in imported XML",
  // ---- 5xxx compatibility (breaking-change checker, issue 4)
  NIDL5001: "interface removed or renamed",
  NIDL5002: "member removed or renamed",
  NIDL5003: "arguments changed",
  NIDL5004: "enum entry removed",
  NIDL5005: "enum value changed",
  NIDL5006: "property access narrowed",
  NIDL5007: "oneway changed",
  NIDL5008: "Wayland version rule broken",
  NIDL5009: "type changed",
  NIDL5010: "compatibility input could not be read",
  NIDL5011: "closed enum gained a value older readers reject",
  NIDL5012: "enum became closed",
  NIDL5013: "event topic changed",
  NIDL5014: "D-Bus ObjectManager removed",
} as const;

/** A known diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** The short title of a code (used by `--format json` and docs). */
export function describeCode(code: DiagnosticCode): string {
  return DIAGNOSTIC_CODES[code];
}
