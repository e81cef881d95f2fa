// E-mails are rendered from MJML, stored in the outbox and sent once per idempotency key.
import type { Sequelize } from 'sequelize';
import { EmailOutbox } from '../db/models/index.js';
import { renderEmail } from '../emails/render.js';
import { createMailer, type Mailer } from '../services/mailer.js';
import { sendEmailOnce } from '../services/outbox.js';
import { testEnv, testSequelize, unique } from './support/env.js';
import { mailsTo } from './support/mail.js';

let sequelize: Sequelize;
let mailer: Mailer;
beforeAll(() => { sequelize = testSequelize(); mailer = createMailer(testEnv.smtpUrl); });
afterAll(async () => { mailer.close(); await sequelize.close(); });

const request = (to: string, key = unique('mail-')) => ({
  idempotencyKey: key,
  template: 'habilitation_request_submitted' as const,
  to: [to],
  data: { issuerName: 'Léa <Roux>', structureName: 'CCAS d’Anglet', requestUrl: 'http://localhost:3000/habilitation/demandes/x' },
});

describe('e-mail outbox', () => {
  it('renders French MJML with escaped values and a text version', async () => {
    const email = await renderEmail('habilitation_request_refused', { recipientName: 'Léa', structureName: 'Mairie <b>', motif: 'Hors périmètre' });
    expect(email.subject).toBe('Aidants Connect - Votre demande d’habilitation a été refusée');
    expect(email.html).toContain('Mairie &lt;b&gt;');
    expect(email.html).not.toContain('<mj-');
    expect(email.text).toContain('recours gracieux');
  });

  it('sends once, however many times the activity is retried', async () => {
    const to = `${unique('dest-')}@exemple.fr`;
    const req = request(to);
    const deps = { sequelize, mailer, from: 'test@aidantsconnect.invalid' };
    expect(await sendEmailOnce(deps, req)).toBe('sent');
    expect(await sendEmailOnce(deps, req)).toBe('already_sent');
    await Promise.all([sendEmailOnce(deps, req), sendEmailOnce(deps, req)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(to)).toHaveLength(1);
    const row = await EmailOutbox.findOne({ where: { idempotencyKey: req.idempotencyKey } });
    expect(row).toMatchObject({ status: 'sent', attempts: 1, recipients: [to] });
  });

  it('keeps the message and the error when SMTP fails, then sends it on the next attempt', async () => {
    const to = `${unique('dest-')}@exemple.fr`;
    const req = request(to);
    const broken: Mailer = { send: async () => { throw new Error('connection refused'); }, close: () => undefined };
    await expect(sendEmailOnce({ sequelize, mailer: broken, from: 'x@y.fr' }, req)).rejects.toThrow('connection refused');
    expect(await EmailOutbox.findOne({ where: { idempotencyKey: req.idempotencyKey } })).toMatchObject({ status: 'pending', attempts: 1, lastError: 'connection refused' });
    expect(await sendEmailOnce({ sequelize, mailer, from: 'x@y.fr' }, req)).toBe('sent');
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(to)).toHaveLength(1);
  });
});
