/**
 * A plain text table that fits the terminal: columns two spaces apart; when the natural width is
 * wider than `width`, columns give up room by weight (wide and unimportant ones first), never below
 * their header's width, with an ellipsis marking every cut cell. Without a width (a pipe, a file)
 * nothing is cut.
 */

/** One column: its header, and how readily it gives up room (higher = cut first; 0 = never). */
export interface Column {
  header: string;
  shrink: number;
}

const GAP = 2;
const ELLIPSIS = '…';

/** Display width of a cell (code points; the cells authctl prints are not double-width). */
function len(s: string): number {
  return [...s].length;
}

/** `s` cut to `w` display cells, the last one an ellipsis when anything was cut. */
export function truncate(s: string, w: number): string {
  const cps = [...s];
  if (cps.length <= w) return s;
  if (w <= 0) return '';
  return `${cps.slice(0, w - 1).join('')}${ELLIPSIS}`;
}

/** The width each column gets so the table fits in `width` (natural widths when it already fits). */
export function fitWidths(columns: Column[], rows: string[][], width?: number): number[] {
  const widths = columns.map((c, i) => Math.max(len(c.header), ...rows.map((r) => len(r[i] ?? ''))));
  if (width === undefined) return widths;
  let excess = widths.reduce((a, b) => a + b, 0) + GAP * (columns.length - 1) - width;
  // Never below the header, and keep at least two characters and the ellipsis.
  const floor = columns.map((c) => Math.max(len(c.header), 3));
  // One cell at a time from the column with the most weighted room (width × 2^shrink): each step
  // of `shrink` doubles how readily a column gives up room, and wide columns give up more.
  while (excess > 0) {
    let pick = -1;
    const weight = (i: number) => widths[i]! * 2 ** columns[i]!.shrink;
    for (let i = 0; i < columns.length; i++) {
      if (columns[i]!.shrink <= 0 || widths[i]! <= floor[i]!) continue;
      if (pick < 0 || weight(i) > weight(pick)) pick = i;
    }
    if (pick < 0) break;
    widths[pick]!--;
    excess--;
  }
  return widths;
}

/** Render the table; each line ends without trailing spaces. */
export function renderTable(columns: Column[], rows: string[][], width?: number): string {
  const widths = fitWidths(columns, rows, width);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const t = truncate(c, widths[i]!);
        return t + ' '.repeat(Math.max(0, widths[i]! - len(t)));
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), ...rows.map(line)].join('\n')}\n`;
}
