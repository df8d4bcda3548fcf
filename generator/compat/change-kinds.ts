/**
 * The changes `nova-gen compat` accepts between two versions, one kind per rule. Everything else that
 * differs on the wire is a breaking change (a NIDL5xxx error). A kind is here only when a client generated
 * from either version keeps working with a server generated from the other: the pairing test
 * (test/generator/compat/compatible-pairs.test.ts) proves each kind with real calls, and fails when a
 * kind is added here without a scenario there.
 */
import type { Span } from "../ast.js";

/** Every compatible change kind, with what it means (shown by `nova-gen compat`). */
export const COMPATIBLE_CHANGES = {
  "interface-added": "a new interface",
  "method-added": "a new method (Wayland request)",
  "signal-added": "a new signal (Wayland event)",
  "property-added": "a new property",
  "property-access-widened": "a property became readable or writable in addition",
  "property-notify-added": "a property started announcing its changes",
  "argument-renamed": "an argument or result was renamed in place (names are not on the wire)",
  "member-deprecated": "a member became @deprecated",
  "throws-added": "a method declares a new error (an older client receives it as a plain RemoteError)",
  "throws-removed": "a method no longer declares an error",
  "enum-value-added": "an open enum gained an entry (older readers receive it as an unknown value)",
  "flags-bit-added": "open flags gained an entry (older readers keep the unknown bits)",
  "closed-enum-value-added-inbound": "a @closed enum or flags gained an entry, and it only flows from clients to servers",
  "enum-opened": "an enum or flags lost @closed (its readers now accept unknown values)",
} as const;

/** One compatible change kind. */
export type CompatibleChangeKind = keyof typeof COMPATIBLE_CHANGES;

/** The kinds, in catalogue order. */
export const COMPATIBLE_CHANGE_KINDS = Object.keys(COMPATIBLE_CHANGES) as CompatibleChangeKind[];

/** A compatible change found between two versions. */
export interface CompatibleChange {
  readonly kind: CompatibleChangeKind;
  /** What changed, naming the construct (`method "Reset" of "Demo" was added`). */
  readonly message: string;
  /** Where the change is, in the new version. */
  readonly span: Span | undefined;
}
