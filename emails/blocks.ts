// The building blocks of an e-mail body: a paragraph (already-escaped HTML) or a button (a link). A body is a
// list of blocks, so that the MJML of a body's shape is compiled once and its blocks are filled per message.
import { escapeHtml } from './escape.js';

export type Block = { kind: 'text'; html: string } | { kind: 'button'; href: string; label: string };

/** A paragraph; `html` is trusted markup in which every value was escaped by the template. */
export const p = (html: string): Block => ({ kind: 'text', html });
/** A call to action: the reader's next step, as a link. */
export const button = (href: string, label: string): Block => ({ kind: 'button', href, label });

/** The MJML of one block, with its contents given as (already escaped) markup. */
export function blockMjml(block: { kind: Block['kind'] }, parts: { html?: string; href?: string; label?: string }): string {
  return block.kind === 'text'
    ? `<mj-text>${parts.html}</mj-text>`
    : `<mj-button href="${parts.href}" background-color="#000091" color="#ffffff" border-radius="0" align="left">${parts.label}</mj-button>`;
}

/** The escaped contents of a block, in the order blockMjml places them. */
export const blockParts = (block: Block): { html?: string; href?: string; label?: string } =>
  block.kind === 'text' ? { html: block.html } : { href: escapeHtml(block.href), label: escapeHtml(block.label) };
