// Pure domain rules shared by the pages, the back-office and the activities.
import { addMonths, parseDuration } from '../domain/duration.js';
import {
  departmentFromZipcode, firstIncompleteStep, parseAidants, parseIssuer, parsePledges, parseReferent, parseStructure,
} from '../domain/habilitation-form.js';
import { canCancelOnboarding, parisDay, trainingDateError } from '../domain/habilitation.js';
import { mandatExpiry } from '../domain/mandat.js';
import { can } from '../domain/roles.js';
import { isValidSiret } from '../domain/siret.js';
import { hexToBase32, currentCode, verifyCode } from '../services/totp.js';
import { validStepBodies } from './support/factories.js';

describe('SIRET', () => {
  it('accepts 14 digits with a valid checksum, spaces allowed', () => {
    expect(isValidSiret('78234567800018')).toBe(true);
    expect(isValidSiret('782 345 678 00018')).toBe(true);
    expect(isValidSiret('35600000000048')).toBe(true); // La Poste headquarters
  });
  it('refuses a wrong checksum, a wrong length or letters', () => {
    expect(isValidSiret('78234567800019')).toBe(false);
    expect(isValidSiret('7823456780001')).toBe(false);
    expect(isValidSiret('7823456780001A')).toBe(false);
  });
});

describe('durations and deadlines', () => {
  it('parses human durations', () => {
    expect(parseDuration('14 days')).toBe(14 * 86_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('soon')).toBeUndefined();
  });
  it('counts calendar months like an administrative deadline', () => {
    expect(addMonths(new Date('2026-12-31T10:00:00Z'), 2).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(addMonths(new Date('2026-11-22T10:00:00Z'), 2).toISOString()).toBe('2027-01-22T10:00:00.000Z');
  });
  it('expires mandats after their duration', () => {
    const start = new Date('2026-01-01T12:00:00Z');
    expect(mandatExpiry(start, 'SHORT').toISOString()).toBe('2026-01-02T12:00:00.000Z');
    expect(mandatExpiry(start, 'LONG').toISOString()).toBe('2027-01-01T12:00:00.000Z');
  });
});

describe('habilitation form validation, step by step', () => {
  const bodies = () => validStepBodies();
  const issuer = { firstName: 'Léa', lastName: 'Roux', email: 'lea.roux@exemple.fr', profession: 'Directrice' };

  it('takes the demandeur with a lower-cased e-mail and an optional phone', () => {
    expect(parseIssuer({ ...bodies().issuer, email: ' Lea.Roux@Exemple.FR ', phone: '' }).value)
      .toEqual({ firstName: 'Léa', lastName: 'Roux', email: 'lea.roux@exemple.fr', profession: 'Directrice', phone: null });
    expect(parseIssuer({ email: 'pas-un-email', phone: '12' }).errors).toEqual({
      firstName: 'Veuillez renseigner votre prénom.', lastName: 'Veuillez renseigner votre nom.', profession: 'Veuillez renseigner votre profession.',
      email: 'Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.',
      phone: 'Veuillez saisir un numéro de téléphone français, par exemple 01 23 45 67 89.',
    });
  });

  it('accepts a complete structure and derives the department', () => {
    const { value, errors } = parseStructure({ ...bodies().structure, zipcode: '20000', siret: '782 345 678 00018' });
    expect(errors).toEqual({});
    expect(value).toMatchObject({ siret: '78234567800018', franceServicesNumber: null, webSite: null, typeOther: null });
    expect(departmentFromZipcode(value!.zipcode)).toBe('2A');
    expect(departmentFromZipcode('97411')).toBe('974');
  });

  it('returns a French message next to each invalid structure field', () => {
    const { value, errors } = parseStructure({
      ...bodies().structure, type: 'casino', siret: '78234567800019', franceServicesLabel: 'on', franceServicesNumber: 'n° 12 34', webSite: 'mairie', missionDescription: '',
    });
    expect(value).toBeUndefined();
    expect(errors).toEqual({
      type: 'Veuillez choisir le type de structure.',
      siret: 'Ce numéro SIRET n’est pas valide : vérifiez les 14 chiffres.',
      franceServicesNumber: 'Le numéro de labellisation ne contient que des chiffres, des lettres et des tirets.',
      webSite: 'Veuillez saisir l’adresse complète du site, par exemple https://www.mairie-exemple.fr.',
      missionDescription: 'Veuillez renseigner les missions de la structure.',
    });
    expect(parseStructure({ ...bodies().structure, franceServicesLabel: 'on' }).errors)
      .toEqual({ franceServicesNumber: 'Veuillez renseigner le numéro de labellisation France Services.' });
    expect(parseStructure({ ...bodies().structure, type: 'autre' }).errors).toEqual({ typeOther: 'Veuillez renseigner le type de structure.' });
  });

  it('asks the missions of every structure but an association, and keeps a labelled structure’s number and web site', () => {
    expect(parseStructure({ ...bodies().structure, type: 'association', missionDescription: '' }).value?.missionDescription).toBeNull();
    expect(parseStructure({ ...bodies().structure, franceServicesLabel: 'on', franceServicesNumber: 'FS-1234', webSite: 'https://www.anglet.fr/ccas' }).value)
      .toMatchObject({ franceServicesNumber: 'FS-1234', webSite: 'https://www.anglet.fr/ccas' });
  });

  it('refuses a France Services number without the France Services label', () => {
    const { value, errors } = parseStructure({ ...bodies().structure, franceServicesNumber: 'FS-1234' });
    expect(value).toBeUndefined();
    expect(errors).toEqual({
      franceServicesNumber: 'Un numéro de labellisation n’est possible que pour une structure labellisée France Services : cochez la case ou effacez le numéro.',
    });
  });

  it('takes the demandeur as référent (« c’est moi ») or another person, always with a mobile phone', () => {
    expect(parseReferent({ referentIsIssuer: 'on', phone: '06 12 34 56 78', isAidant: 'on' }, issuer).value)
      .toEqual({ ...issuer, phone: '06 12 34 56 78', isAidant: true });
    expect(parseReferent({ referentIsIssuer: 'on', phone: '05 46 00 00 00' }, issuer).errors)
      .toEqual({ phone: 'Veuillez saisir un numéro de téléphone mobile, par exemple 06 12 34 56 78.' });
    const other = { firstName: 'Camille', lastName: 'Martin', email: 'Camille.Martin@Exemple.fr', profession: 'Directrice', phone: '07 12 34 56 78' };
    expect(parseReferent(other, issuer).value).toEqual({ ...other, email: 'camille.martin@exemple.fr', isAidant: false });
    expect(parseReferent({ phone: '07 12 34 56 78' }, issuer).errors).toEqual({
      firstName: 'Veuillez renseigner le prénom du référent.', lastName: 'Veuillez renseigner le nom du référent.',
      email: 'Veuillez renseigner l’adresse e-mail du référent.', profession: 'Veuillez renseigner la profession du référent.',
    });
  });

  it('lists the aidants to train: blank rows ignored, e-mails unique, at least one unless the référent trains', () => {
    const row = (n: number, email: string) => ({ [`aidant${n}_firstName`]: 'Karim', [`aidant${n}_lastName`]: 'Benali', [`aidant${n}_email`]: email, [`aidant${n}_profession`]: 'Travailleur social' });
    const referent = { email: 'lea.roux@exemple.fr', isAidant: false };
    expect(parseAidants({ ...row(1, 'K.Benali@Exemple.fr'), ...row(3, 'n.diallo@exemple.fr') }, referent).value?.map((a) => a.email))
      .toEqual(['k.benali@exemple.fr', 'n.diallo@exemple.fr']);
    expect(parseAidants({ rows: '5', ...row(5, 'e@exemple.fr') }, referent).value).toHaveLength(1);
    expect(parseAidants({ ...row(1, 'a@exemple.fr'), ...row(2, 'A@exemple.fr'), ...row(3, 'lea.roux@exemple.fr') }, referent).errors).toEqual({
      aidant2_email: 'Chaque aidant doit avoir une adresse e-mail différente.',
      aidant3_email: 'C’est l’adresse du référent : à l’étape précédente, cochez plutôt « Le référent sera aussi aidant ».',
    });
    expect(parseAidants({ aidant1_email: 'a@exemple.fr' }, referent).errors).toEqual({
      aidant1_firstName: 'Veuillez renseigner le prénom de l’aidant.', aidant1_lastName: 'Veuillez renseigner le nom de l’aidant.',
      aidant1_profession: 'Veuillez renseigner la profession de l’aidant.',
    });
    expect(parseAidants({}, referent).errors.aidants).toBe('Indiquez au moins un aidant à former, ou revenez à l’étape précédente pour indiquer que le référent sera aussi aidant.');
    expect(parseAidants({}, { ...referent, isAidant: true }).value).toEqual([]);
  });

  it('requires the five pledges', () => {
    expect(parsePledges(bodies().pledges).value).toEqual({ cgu: true, not_free: true, dpo: true, professionals_only: true, without_elected: true });
    expect(parsePledges({ ...bodies().pledges, pledge_dpo: '' }).errors).toEqual({ pledge_dpo: 'Cet engagement est obligatoire pour soumettre la demande.' });
  });

  it('tells the first step a draft still needs', () => {
    expect(firstIncompleteStep({ referentEmail: null, referentIsAidant: false }, 0)).toBe('referent');
    expect(firstIncompleteStep({ referentEmail: 'a@exemple.fr', referentIsAidant: false }, 0)).toBe('aidants');
    expect(firstIncompleteStep({ referentEmail: 'a@exemple.fr', referentIsAidant: true }, 0)).toBe('envoi');
    expect(firstIncompleteStep({ referentEmail: 'a@exemple.fr', referentIsAidant: false }, 2)).toBe('envoi');
  });
});

describe('back-office roles', () => {
  it('lets only jury members and tech admins decide on habilitations', () => {
    expect(can(['anct_jury'], 'decide_habilitation')).toBe(true);
    expect(can(['anct_staff'], 'decide_habilitation')).toBe(false);
    expect(can(['tech_admin'], 'decide_habilitation')).toBe(true);
    expect(can([], 'follow_onboarding')).toBe(false);
    expect(can(['anct_jury'], 'read_journal')).toBe(false);
  });
});

describe('card codes', () => {
  it('matches RFC 6238 and accepts a code one period late', () => {
    expect(hexToBase32(Buffer.from('12345678901234567890').toString('hex'))).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    const seed = Buffer.from('12345678901234567890').toString('hex');
    expect(currentCode(seed, 30, new Date(59_000))).toBe('287082');
    const now = new Date('2026-11-22T10:00:30Z');
    const code = currentCode(seed, 60, now);
    expect(verifyCode(seed, 60, code, new Date(now.getTime() + 60_000)).valid).toBe(true);
    expect(verifyCode(seed, 60, code, new Date(now.getTime() + 180_000)).valid).toBe(false);
    expect(verifyCode(seed, 60, 'abcdef', now).valid).toBe(false);
  });
});

describe('aidant onboarding rules', () => {
  it('accepts a training date that is a real calendar day, not in the future, not before the request', () => {
    const context = { today: '2026-11-30', notBefore: '2026-09-15' };
    expect(trainingDateError('2026-11-30', context)).toBeNull();
    expect(trainingDateError('2026-09-15', context)).toBeNull();
    expect(trainingDateError('2024-02-29', { today: '2026-11-30' })).toBeNull(); // leap day; no request known (older runs)
  });
  it('refuses an impossible, malformed, future or too early training date', () => {
    const context = { today: '2026-11-30', notBefore: '2026-09-15' };
    expect(trainingDateError('2026-02-30', { today: '2026-11-30' })).toBe('La date de formation n’existe pas.');
    expect(trainingDateError('2025-02-29', { today: '2026-11-30' })).toBe('La date de formation n’existe pas.');
    expect(trainingDateError('2026-13-01', { today: '2026-11-30' })).toBe('La date de formation n’existe pas.');
    expect(trainingDateError('30/11/2026', context)).toBe('La date de formation est invalide.');
    expect(trainingDateError(undefined, context)).toBe('La date de formation est invalide.');
    expect(trainingDateError('2026-12-01', context)).toBe('La date de formation ne peut pas être dans le futur.');
    expect(trainingDateError('2026-09-14', context)).toBe('La date de formation ne peut pas précéder la demande d’habilitation.');
  });
  it('counts days in Europe/Paris', () => {
    expect(parisDay(Date.parse('2026-11-30T23:30:00Z'))).toBe('2026-12-01');
    expect(parisDay(Date.parse('2026-07-01T21:59:00Z'))).toBe('2026-07-01');
  });
  it('lets a lapsed onboarding be cancelled, not a completed or cancelled one', () => {
    expect(canCancelOnboarding('lapsed')).toBe(true);
    expect(canCancelOnboarding('card_linking')).toBe(true);
    expect(canCancelOnboarding('completed')).toBe(false);
    expect(canCancelOnboarding('cancelled')).toBe(false);
  });
});
