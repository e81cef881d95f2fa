// The links e-mails give for a next step lead to a page of the service that says how to take it: the training
// registration (the default of TRAINING_REGISTRATION_URL) and the aidant and référent space.
import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { loadConfig } from '../config/index.js';
import { renderContext, renderEmail } from '../emails/render.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles } from '../services/lifecycles.js';
import { testConfig, testSequelize } from './support/env.js';
import { unreachableClient } from './support/temporal.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(async () => { await sequelize.close(); });

const config = testConfig();
const app = () => {
  const temporal = unreachableClient();
  return createApp({
    config, sequelize, temporal, log: createLogger('test', 'error'),
    lifecycles: createLifecycles(temporal, { taskQueue: 'unused', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
  });
};
const context = renderContext(config.http.publicUrl, { trainingRegistrationUrl: config.habilitation.trainingRegistrationUrl });
const pathIn = (text: string, label: string) => {
  const match = new RegExp(`${label} : (http://localhost:3000(/\\S*))`).exec(text);
  if (!match) throw new Error(`no link after « ${label} » in:\n${text}`);
  return match[2];
};

describe('pages of the next steps', () => {
  it('explains how to register for the training, where the invitation leads by default', async () => {
    const invitation = await renderEmail('onboarding_training_invitation', {
      recipientName: 'Amélie Petit', aidantName: 'Amélie Petit', structureName: 'CCAS', deadline: '2027-01-31T10:00:00.000Z', isAidant: true,
    }, context);
    const path = pathIn(invitation.text, 'Comment se passe la formation');
    expect(path).toBe('/formation');
    const res = await request(app()).get(path);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Comment s’inscrire');
    expect(res.text).toContain('href="mailto:contact@aidantsconnect.beta.gouv.fr"');
  });

  it('takes TRAINING_REGISTRATION_URL when configured, and refuses one that is not a web address', () => {
    expect(loadConfig({ TRAINING_REGISTRATION_URL: 'https://formation.exemple.fr/' }).habilitation.trainingRegistrationUrl).toBe('https://formation.exemple.fr/');
    expect(() => loadConfig({ TRAINING_REGISTRATION_URL: 'ftp://formation.exemple.fr' })).toThrow(/TRAINING_REGISTRATION_URL/);
  });

  it('leads the référent from the activation e-mail to the espace, which asks for a login first', async () => {
    const activated = await renderEmail('referent_aidant_activated', { recipientName: 'Léa Roux', aidantName: 'Amélie Petit' }, context);
    const path = pathIn(activated.text, 'depuis votre espace référent');
    expect(path).toBe('/espace');
    const espace = await request(app()).get(path);
    expect(espace.status).toBe(303);
    expect(espace.headers.location).toBe('/espace-aidant');
    const aidant = await request(app()).get('/espace-aidant');
    expect(aidant.status).toBe(303);
    expect(aidant.headers.location).toBe('/connexion?next=%2Fespace-aidant');
  });

});
