// Accessibility of the espace référent (RGAA): axe-core's WCAG 2.1 A and AA rules on each page and each form,
// empty and with errors, in a real browser logged in as a référent.
import { AidantOnboarding, OrganisationMembership } from '../db/models/index.js';
import { axeViolations, useBrowserApp } from './support/browser.js';
import { createPerson, createStructure, espaceCookie } from './support/espace.js';
import { unique } from './support/env.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const app = useBrowserApp(stack);

describe('accessibility of the espace référent', () => {
  it('finds no WCAG 2.1 A/AA violation on its pages and forms, with and without errors', async () => {
    const organisation = await createStructure();
    const referent = (await createPerson(organisation, { role: 'referent', card: null })).user;
    const aidant = (await createPerson(organisation)).user;
    const deactivated = (await createPerson(organisation, { card: 'digital' })).user;
    await OrganisationMembership.update({ isActive: false }, { where: { userId: deactivated.id, organisationId: organisation.id } });
    const onboarding = await AidantOnboarding.create({
      organisationId: organisation.id, habilitationRequestId: null, aidantRequestId: null, userId: null, email: `${unique('futur-')}@exemple.fr`,
      firstName: 'Inès', lastName: 'Morel', profession: 'Médiatrice', requestedById: referent.id, status: 'awaiting_eligibility',
      trainingDeadline: new Date(Date.now() + 60 * 86_400_000), trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
    });
    const [name, ...value] = (await espaceCookie(stack.sequelize, referent, organisation.id)).split('=');
    const context = await app.browser.newContext({ bypassCSP: true });
    await context.addCookies([{ name, value: value.join('='), url: app.baseUrl }]);
    const page = await context.newPage();
    const checked: Record<string, string[]> = {};
    const visit = async (label: string, path: string) => { await page.goto(`${app.baseUrl}${path}`); checked[label] = await axeViolations(page); };
    const submit = async (label: string, button: string) => { await page.click(`button[type=submit]:has-text("${button}")`); checked[label] = await axeViolations(page); };

    await visit('tableau de bord', '/espace-referent');
    await visit('aidant', `/espace-referent/aidants/${aidant.id}`);
    await visit('aidant désactivé', `/espace-referent/aidants/${deactivated.id}`);
    await visit('démarches', '/espace-referent/structure');
    for (const box of await page.locator('input[name=demarches]').all()) await box.uncheck({ force: true });
    await submit('démarches, avec erreurs', 'Enregistrer les démarches');
    await visit('annulation', `/espace-referent/habilitations/${onboarding.id}/annuler`);
    await submit('annulation, avec erreurs', 'Annuler l’habilitation');
    await visit('ajout : profil', '/espace-referent/ajouter-aidants/profil');
    await submit('ajout : profil, avec erreurs', 'Continuer');
    await visit('ajout : aidants à former', '/espace-referent/ajouter-aidants/aidants-a-former');
    await page.fill('#field-aidant1_email', 'pas-une-adresse');
    await submit('ajout : aidants à former, avec erreurs', 'Continuer');
    await visit('ajout : aidant formé', '/espace-referent/ajouter-aidants/aidant-forme');
    await page.fill('#field-email', 'inconnu@exemple.fr');
    await submit('ajout : aidant formé, avec erreurs', 'Continuer');
    await visit('ajout : aidants à former (2)', '/espace-referent/ajouter-aidants/aidants-a-former');
    for (const [field, text] of Object.entries({ firstName: 'Léa', lastName: 'Roux', email: `${unique('lea-')}@exemple.fr`, profession: 'Agente' })) {
      await page.fill(`#field-aidant1_${field}`, text);
    }
    await submit('ajout : confirmation', 'Continuer');
    expect(page.url()).toMatch(/\/confirmation$/);

    expect(Object.keys(checked)).toHaveLength(15);
    expect(Object.fromEntries(Object.entries(checked).filter(([, found]) => found.length > 0))).toEqual({});
    await context.close();
  });
});
