/**
 * Aligned text columns for the listing commands (`nova list`, `nova dbus list`,
 * `nova dbus introspect`), in busctl's plain style: a header row, columns
 * separated by one space, the last column unpadded.
 */

/** Rows of cells (the first row is the header) as left-aligned columns, one line each. */
export function textTable(cells: readonly (readonly string[])[]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c < row.length - 1 ? cell.padEnd(widths[c]!) : cell)).join(" ")).join("\n") + "\n";
}
