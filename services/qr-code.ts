// The QR code of an attestation (its verification address), as a matrix of modules that both the page (SVG)
// and the PDF draw: one encoding, two renderings.
import QRCode from 'qrcode';

export interface QrMatrix { size: number; isDark: (x: number, y: number) => boolean }

/** Quiet zone around the code, in modules (the standard asks for 4). */
export const QR_MARGIN = 4;

export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, isDark: (x, y) => Boolean(modules.get(y, x)) };
}

/** The dark modules of each row merged into horizontal runs: [x, y, width]. */
export function qrRuns(matrix: QrMatrix): [number, number, number][] {
  const runs: [number, number, number][] = [];
  for (let y = 0; y < matrix.size; y += 1) {
    for (let x = 0; x < matrix.size; x += 1) {
      if (!matrix.isDark(x, y)) continue;
      const start = x;
      while (x + 1 < matrix.size && matrix.isDark(x + 1, y)) x += 1;
      runs.push([start, y, x - start + 1]);
    }
  }
  return runs;
}

/** The dark modules as one SVG path, in modules, the quiet zone included (the page and the PDF draw it). */
export const qrPath = (matrix: QrMatrix): string =>
  qrRuns(matrix).map(([x, y, width]) => `M${x + QR_MARGIN} ${y + QR_MARGIN}h${width}v1h-${width}z`).join('');

/** An SVG (no style attribute: the pages' CSP forbids inline styles) with an accessible name. */
export function qrSvg(text: string, label: string): string {
  const matrix = qrMatrix(text);
  const side = matrix.size + 2 * QR_MARGIN;
  const path = qrPath(matrix);
  const escaped = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" width="160" height="160" role="img" aria-label="${escaped}" shape-rendering="crispEdges">`
    + `<rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`;
}
