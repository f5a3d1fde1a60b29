/**
 * `--qr`: the consent URL as a QR code on stderr, drawn with half-block characters (▀ ▄ █ and
 * space: two modules per character cell, so modules stay square in a 1:2 cell), with uqr's
 * one-module quiet zone. On a terminal too small for it, one line says so instead of a block
 * that scrolls off the top or wraps into noise.
 */
import type { IO } from './io.js';

/** The drawn code: lines of half-block characters. */
export interface QrDrawing {
  lines: string[];
  width: number;
  height: number;
}

/** Draw `text` as a QR code (lowest error correction, the smallest symbol that holds it). */
export async function drawQr(text: string): Promise<QrDrawing> {
  const { renderUnicodeCompact } = await import('uqr');
  const lines = renderUnicodeCompact(text, { ecc: 'L', border: 1 }).split('\n');
  return { lines, width: Math.max(...lines.map((l) => [...l].length)), height: lines.length };
}

/** The terminal stderr draws on, or null when stderr is not a terminal (a file, a pipe). */
function terminalSize(): { cols: number; rows: number } | null {
  const s = process.stderr;
  if (!s.isTTY || !s.columns || !s.rows) return null;
  return { cols: s.columns, rows: s.rows };
}

/**
 * Show `url` as a QR code on stderr when it fits the terminal (one row is kept for the status line
 * below it); otherwise say how large a terminal it needs. Off a terminal it is always drawn.
 */
export async function showQr(
  io: IO,
  url: string,
  size: { cols: number; rows: number } | null = terminalSize(),
): Promise<boolean> {
  const qr = await drawQr(url);
  if (size && (qr.width > size.cols || qr.height > size.rows - 1)) {
    io.err(
      `Not drawing the QR code: it needs a terminal of at least ${qr.width} columns and ${qr.height + 1} rows, and this one is ${size.cols}×${size.rows}. Enlarge the window (or use a smaller font) and run again with --qr, or open the URL above.\n\n`,
    );
    return false;
  }
  io.err(`${qr.lines.join('\n')}\n\n`);
  return true;
}
