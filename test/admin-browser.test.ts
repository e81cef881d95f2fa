// End to end in a real browser (Debian's chromium): a demandeur submits a request on the public page, the
// workflow e-mails them, and an ANCT jury member logs into /admin (password + code) and finds the request
// with its status.
import { generateSync } from 'otplib';
import { DEMO_PASSWORD, DEMO_STAFF, seedDemoData } from '../services/demo-data.js';
import { unique } from './support/env.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { testSecrets } from './support/factories.js';
import { confirmationPath, waitForMails, waitForSubject } from './support/mail.js';

const stack = useBackOfficeStack({
  browser: true,
  prepare: async (sequelize) => {
    await seedDemoData(sequelize, testSecrets);
  },
});

const jury = DEMO_STAFF[0];
const juryCode = () => generateSync({ secret: jury.totp, period: 30, digits: 6 });

describe('in a browser', () => {
  it('submits a request publicly (after fixing a field error), then a jury member logs into /admin and validates it', async () => {
    const page = await stack.browser.newPage();
    // The public pages must work under their Content-Security-Policy: the browser reports any violation.
    const violations: string[] = [];
    page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) violations.push(message.text()); });
    const structureName = `CCAS ${unique()}`;
    const email = `${unique('demandeur-')}@exemple.fr`;

    await page.goto(`${stack.web.url}/habilitation`);
    await page.fill('#field-firstName', 'Léa');
    await page.fill('#field-lastName', 'Roux');
    await page.fill('#field-email', email);
    await page.fill('#field-profession', 'Directrice');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/habilitation\/verification\//);
    expect(await page.textContent('h1')).toBe('Consultez votre messagerie');
    await page.goto(`${stack.web.url}${await confirmationPath(email)}`);
    await page.waitForURL(/\/habilitation\/espace$/);
    await page.click('text=Commencer une nouvelle demande');

    // The structure step, with one wrong digit in the SIRET
    await page.fill('#field-name', structureName);
    await page.selectOption('#field-type', 'ccas');
    await page.fill('#field-siret', '78234567800019');
    await page.fill('#field-address', '1 rue de la Mairie');
    await page.fill('#field-zipcode', '64600');
    await page.fill('#field-city', 'Anglet');
    await page.fill('#field-missionDescription', 'Accueil social et aide aux démarches en ligne.');
    await page.click('button[type=submit]');
    expect(await page.title()).toMatch(/^Erreur dans le formulaire/);
    expect(await page.textContent('#field-siret-error')).toBe('Ce numéro SIRET n’est pas valide : vérifiez les 14 chiffres.');
    expect(await page.getAttribute('#field-siret', 'aria-invalid')).toBe('true');
    expect(await page.inputValue('#field-name')).toBe(structureName); // nothing typed is lost
    expect(await page.inputValue('#field-missionDescription')).toBe('Accueil social et aide aux démarches en ligne.');
    await page.fill('#field-siret', '78234567800018');
    await page.click('button[type=submit]');

    // The référent (« c'est moi »), who will also be an aidant; then no other aidant
    await page.waitForURL(/\/referent$/);
    expect(await page.isChecked('#field-referentIsIssuer')).toBe(true);
    await page.fill('#field-phone', '06 12 34 56 78');
    await page.click('label[for=field-isAidant]');
    await page.press('#field-phone', 'Enter'); // Enter saves and continues (the main button comes first)
    await page.waitForURL(/\/aidants$/);
    await page.click('button[type=submit]:has-text("Enregistrer et continuer")');
    await page.waitForURL(/\/envoi$/);
    for (const pledge of ['cgu', 'not_free', 'dpo', 'professionals_only', 'without_elected']) await page.click(`label[for=field-pledge_${pledge}]`);
    await page.click('button[type=submit]:has-text("Soumettre ma demande")');
    await page.waitForURL(/\/habilitation\/espace\/demandes\/[0-9a-f-]{36}$/);
    expect(await page.textContent('h1')).toContain(structureName);
    expect(await waitForSubject(email, 'Aidants Connect - Votre demande d’habilitation a été soumise')).toBeDefined();

    expect(violations).toEqual([]);
    expect(await page.evaluate('getComputedStyle(document.body).fontFamily')).toContain('Marianne'); // the DSFR is applied

    await page.goto(`${stack.web.url}/admin`);
    await page.waitForURL(/\/admin\/login$/);
    await page.fill('#email', jury.email);
    await page.fill('#password', DEMO_PASSWORD);
    await page.fill('#otp', '000000');
    await page.click('button[type=submit]');
    expect(await page.textContent('.fr-alert--error')).toContain('Adresse e-mail, mot de passe ou code incorrect.');

    await page.fill('#password', DEMO_PASSWORD);
    await page.fill('#otp', juryCode());
    await page.click('button[type=submit]');
    await page.waitForURL(`${stack.web.url}/admin`);
    await page.getByText('Tableau de bord de l’ANCT').waitFor();
    expect(await page.textContent('body')).toContain('Demandes en attente du comité');

    await page.goto(`${stack.web.url}/admin/resources/habilitation_requests`);
    const row = page.locator('tr', { hasText: structureName });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('En attente de la décision du comité');
    expect(await page.textContent('body')).toContain('Demandes d’habilitation');

    // The jury member validates it with a motif, from the record page.
    await row.click();
    await page.getByText('Léa Roux (le référent, qui suivra aussi la formation)').waitFor();
    await page.getByText('Valider', { exact: true }).click();
    await page.fill('#field-motif', 'Structure éligible, dossier complet.');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/show$/);
    await page.getByText('Éligibilité validée').first().waitFor({ timeout: 15_000 });
    expect((await waitForMails(email, 4)).map((m) => m.subject).join('\n')).toMatch(/a été acceptée/);
    await page.close();
  });
});
