/** Output helpers: aligned text tables and JSON without NaN/Infinity (which JSON cannot hold). */

/** JSON.stringify replacer: non-finite numbers (±Infinity from a perfectly silent window, NaN) become null. */
export function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** One JSON object on one line (the whole of stdout in --json mode). */
export function toJsonLine(value: unknown): string {
  return `${JSON.stringify(value, finiteOrNull)}\n`;
}

/** A number with `digits` decimals; ±Infinity as "inf"/"-inf", NaN/null as "n/a". */
export function fixed(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return value.toFixed(digits);
}

/** Left column padded, right column as is: `  label ....  value`. */
export function keyValueTable(rows: [string, string][], indent = '  '): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${indent}${key.padEnd(width)}  ${value}`).join('\n');
}

/** A table with a header row; columns right-aligned except the first. */
export function table(header: string[], rows: string[][], indent = '  '): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: string[]) =>
    indent + cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
