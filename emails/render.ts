// Renders a transactional e-mail from its MJML template into { subject, html, text }. Pure apart from MJML,
// so templates are tested on their own and the sending activity only stores and sends what this returns.
import mjml2html from 'mjml';
import { escapeHtml } from './escape.js';
import { TEMPLATES, type TemplateData, type TemplateName } from './templates.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}


function layout(title: string, body: string): string {
  return `<mjml lang="fr">
  <mj-head>
    <mj-title>${escapeHtml(title)}</mj-title>
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

export async function renderEmail<T extends TemplateName>(name: T, data: TemplateData<T>): Promise<RenderedEmail> {
  const template = TEMPLATES[name] as unknown as (d: TemplateData<T>) => { subject: string; body: string; text: string };
  const { subject, body, text } = template(data);
  const { html, errors } = await mjml2html(layout(subject, body), { validationLevel: 'strict' });
  if (errors.length > 0) throw new Error(`MJML template "${name}" is invalid: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  return { subject, html, text: `${text}\n\n--\nAidants Connect, ANCT. Message automatique : merci de ne pas y répondre.` };
}
