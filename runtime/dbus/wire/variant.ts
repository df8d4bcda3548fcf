/**
 * The JS value of a D-Bus `v`: a value together with its own signature, since
 * a variant's type travels on the wire with it and cannot be guessed from a
 * JS value (is 3 a byte, an int32 or a double?).
 */
export class Variant {
  /**
   * @param signature exactly one complete type, e.g. `"s"` or `"a{sv}"`
   * @param value the value in the representation of runtime/dbus/README.md
   */
  constructor(
    readonly signature: string,
    readonly value: unknown,
  ) {}
}
