// Renders a transactional e-mail into { subject, html, text }. MJML is slow (≈100 ms a message), so it runs
// once per body shape (the sequence of paragraphs and buttons) with numbered slots in place of the contents;
// each message then only fills the slots of that compiled HTML with its escaped contents. The output is the
// same as a full MJML render of the message (test/emails.test.ts checks it for every template).
import mjml2html from 'mjml';
import { blockMjml, blockParts, type Block } from './blocks.js';
import { escapeHtml } from './escape.js';
import { TEMPLATES, type RenderContext, type TemplateData, type TemplateName } from './templates.js';

export type { RenderContext } from './templates.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Where the links of every e-mail lead (filled at render time, so workflows never pass them). */
export function renderContext(publicUrl: string, options: { trainingRegistrationUrl?: string; contactEmail?: string } = {}): RenderContext {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    publicUrl: base,
    trainingRegistrationUrl: options.trainingRegistrationUrl ?? `${base}/formation`,
    contactEmail: options.contactEmail ?? 'contact@aidantsconnect.beta.gouv.fr',
  };
}

function layout(title: string, body: string): string {
  return `<mjml lang="fr">
  <mj-head>
    <mj-title>${title}</mj-title>
    <mj-attributes><mj-all font-family="Marianne, Arial, sans-serif" /><mj-text font-size="16px" line-height="24px" color="#161616" /></mj-attributes>
  </mj-head>
  <mj-body background-color="#f6f6f6">
    <mj-section background-color="#ffffff" border-bottom="4px solid #000091">
      <mj-column><mj-text font-size="14px" font-weight="bold">RÉPUBLIQUE<br/>FRANÇAISE</mj-text></mj-column>
      <mj-column><mj-text align="right" font-size="20px" font-weight="bold" color="#000091">Aidants Connect</mj-text></mj-column>
    </mj-section>
    <mj-section background-color="#ffffff"><mj-column>${body}</mj-column></mj-section>
    <mj-section><mj-column><mj-text font-size="12px" color="#666666">Aidants Connect est un service public numérique de l’Agence nationale de la cohésion des territoires (ANCT). Ce message vous est envoyé automatiquement : merci de ne pas y répondre.</mj-text></mj-column></mj-section>
  </mj-body>
</mjml>`;
}

const FOOTER_TEXT = '\n\n--\nAidants Connect, ANCT. Message automatique : merci de ne pas y répondre.';

async function mjmlToHtml(mjml: string, what: string): Promise<string> {
  const { html, errors } = await mjml2html(mjml, { validationLevel: 'strict' });
  if (errors.length > 0) throw new Error(`MJML template "${what}" is invalid: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  return html;
}

function build<T extends TemplateName>(name: T, data: TemplateData<T>, context: RenderContext) {
  const template = TEMPLATES[name] as unknown as (d: TemplateData<T>, c: RenderContext) => { subject: string; blocks: Block[]; text: string };
  if (!template) throw new Error(`Unknown e-mail template "${String(name)}"`);
  return template(data, context);
}

// Slots are numbered in document order: the title, then each block's parts. A single pass fills them, so a
// value that happens to look like a slot is never filled again.
const slot = (i: number) => `__AC_SLOT_${i}__`;
const SLOT = /__AC_SLOT_(\d+)__/g;
const compiledShapes = new Map<string, Promise<string>>();

function compiledShape(blocks: Block[]): Promise<string> {
  const shape = blocks.map((block) => block.kind).join(',');
  let compiled = compiledShapes.get(shape);
  if (!compiled) {
    let next = 1;
    const body = blocks.map((block) => blockMjml(block, block.kind === 'text'
      ? { html: slot(next++) }
      : { href: slot(next++), label: slot(next++) })).join('\n');
    compiled = mjmlToHtml(layout(slot(0), body), `shape ${shape}`);
    // A failed compilation is not cached: the next message tries again.
    compiled.catch(() => compiledShapes.delete(shape));
    compiledShapes.set(shape, compiled);
  }
  return compiled;
}

export async function renderEmail<T extends TemplateName>(name: T, data: TemplateData<T>, context: RenderContext): Promise<RenderedEmail> {
  const { subject, blocks, text } = build(name, data, context);
  const values = [escapeHtml(subject), ...blocks.flatMap((block) => {
    const parts = blockParts(block);
    return block.kind === 'text' ? [parts.html!] : [parts.href!, parts.label!];
  })];
  const html = (await compiledShape(blocks)).replace(SLOT, (_, i: string) => values[Number(i)]);
  return { subject, html, text: `${text}${FOOTER_TEXT}` };
}

/** The same e-mail through a full MJML render of its data (slow: the reference the compiled render must match). */
export async function renderEmailWithMjml<T extends TemplateName>(name: T, data: TemplateData<T>, context: RenderContext): Promise<RenderedEmail> {
  const { subject, blocks, text } = build(name, data, context);
  const body = blocks.map((block) => blockMjml(block, blockParts(block))).join('\n');
  return { subject, html: await mjmlToHtml(layout(escapeHtml(subject), body), name), text: `${text}${FOOTER_TEXT}` };
}
