// The PDF of an attestation (pdf-lib): A4, the standard Helvetica and Courier fonts embedded by name, the same
// blocks as the page, and the QR code drawn from its matrix. Standard fonts are encoded in WinAnsi: French
// letters (é, à, ç, œ), « », ’ and … are in it; whatever is not is replaced (winAnsi below) rather than failing.
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { qrMatrix, qrPath, QR_MARGIN } from '../../services/qr-code.js';
import type { AttestationDocument, Block } from './attestation-content.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const WIDTH = A4[0] - 2 * MARGIN;
const QR_MODULE = 3;

/** Characters outside WinAnsi that French text uses, and what to print instead. */
const REPLACEMENTS: Record<string, string> = {
  '\u202f': '\u00a0', '\u2009': ' ', '\u2011': '-', '\u2010': '-', '\u2012': '–', '\u2212': '-', '\u02bc': '’', '\u2032': '’', '\u2033': '"',
};

/** `text` with every character the font cannot encode replaced: by its known equivalent, its letter without accent, or « ? ». */
export function winAnsi(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  return [...text].map((char) => {
    const candidate = REPLACEMENTS[char] ?? char;
    if (supported.has(candidate.codePointAt(0)!)) return candidate;
    const bare = candidate.normalize('NFD').replace(/\p{Diacritic}/gu, '');
    return [...bare].every((c) => supported.has(c.codePointAt(0)!)) && bare ? bare : '?';
  }).join('');
}

interface Fonts { regular: PDFFont; bold: PDFFont; mono: PDFFont }

class Writer {
  private page!: PDFPage;
  private y = 0;
  constructor(private readonly pdf: PDFDocument, private readonly fonts: Fonts) { this.newPage(); }

  private newPage(): void {
    this.page = this.pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  private room(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  /** Breaks `text` into lines of at most `width` (long words, e.g. a hash, are cut). */
  private lines(text: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) <= width) { line = next; continue; }
      if (line) lines.push(line);
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width) {
        let cut = rest.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut -= 1;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    if (line) lines.push(line);
    return lines;
  }

  text(raw: string, options: { font?: PDFFont; size?: number; indent?: number; gapAfter?: number } = {}): void {
    const font = options.font ?? this.fonts.regular;
    const size = options.size ?? 10;
    const indent = options.indent ?? 0;
    const leading = size * 1.35;
    for (const line of this.lines(winAnsi(font, raw), font, size, WIDTH - indent)) {
      this.room(leading);
      this.y -= leading;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y + size * 0.25, size, font, color: rgb(0.1, 0.1, 0.1) });
    }
    this.y -= options.gapAfter ?? 4;
  }

  qr(url: string): void {
    const matrix = qrMatrix(url);
    const side = (matrix.size + 2 * QR_MARGIN) * QR_MODULE;
    this.room(side);
    // One path (SVG coordinates: from the top left corner, downwards), filled in black.
    this.page.drawSvgPath(qrPath(matrix), { x: MARGIN, y: this.y, scale: QR_MODULE, color: rgb(0, 0, 0) });
    this.y -= side + 4;
  }

  block(block: Block): void {
    const { regular, bold, mono } = this.fonts;
    switch (block.kind) {
      case 'title': this.text(block.text, { font: bold, size: 18, gapAfter: 10 }); break;
      case 'heading': this.room(40); this.y -= 8; this.text(block.text, { font: bold, size: 13, gapAfter: 6 }); break;
      case 'subheading': this.room(30); this.text(block.text, { font: bold, size: 10.5, gapAfter: 2 }); break;
      case 'paragraph': this.text(block.text, { gapAfter: 6 }); break;
      case 'fields': for (const [label, value] of block.rows) this.text(`${label} : ${value}`, { gapAfter: 2 }); this.y -= 4; break;
      case 'list': for (const item of block.items) this.text(`• ${item}`, { indent: 8, gapAfter: 2 }); this.y -= 4; break;
      case 'code': this.text(block.label, { font: regular, size: 9, gapAfter: 0 }); this.text(block.value, { font: mono, size: 8.5, gapAfter: 6 }); break;
      case 'qr': this.qr(block.url); break;
    }
  }
}

export async function attestationPdf(document: AttestationDocument): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(document.title);
  pdf.setAuthor('Aidants Connect');
  pdf.setCreator('Aidants Connect');
  pdf.setProducer('Aidants Connect');
  pdf.setLanguage('fr-FR');
  const fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
    mono: await pdf.embedFont(StandardFonts.Courier),
  };
  const writer = new Writer(pdf, fonts);
  for (const block of document.blocks) writer.block(block);
  const pages = pdf.getPages();
  pages.forEach((page, index) => {
    const footer = winAnsi(fonts.regular, `${document.title} – page ${index + 1} sur ${pages.length}`);
    page.drawText(footer, { x: MARGIN, y: MARGIN / 2, size: 8, font: fonts.regular, color: rgb(0.4, 0.4, 0.4) });
  });
  return pdf.save();
}
