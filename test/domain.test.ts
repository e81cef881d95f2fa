// Pure domain rules shared by the pages, the back-office and the activities.
import { addMonths, parseDuration } from '../domain/duration.js';
import { departmentFromZipcode, parseHabilitationRequest } from '../domain/habilitation-form.js';
import { mandatExpiry } from '../domain/mandat.js';
import { can } from '../domain/roles.js';
import { isValidSiret } from '../domain/siret.js';
import { hexToBase32, currentCode, verifyCode } from '../services/totp.js';
import { validFormBody } from './support/factories.js';

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

describe('habilitation form validation', () => {
  it('accepts a complete request and derives the department', () => {
    const { value, errors } = parseHabilitationRequest(validFormBody({ zipcode: '20000' }));
    expect(errors).toEqual({});
    expect(value?.siret).toBe('78234567800018');
    expect(departmentFromZipcode('20000')).toBe('2A');
    expect(departmentFromZipcode('97411')).toBe('974');
  });
  it('takes a référent other than the demandeur, who must give a mobile phone', () => {
    const other = { referentIsIssuer: '', referentFirstName: 'Camille', referentLastName: 'Martin', referentEmail: 'Camille.Martin@Exemple.fr', referentProfession: 'Directrice' };
    expect(parseHabilitationRequest(validFormBody({ ...other, referentPhone: '05 46 00 00 00' })).errors)
      .toEqual({ referentPhone: 'Veuillez saisir le numéro de téléphone mobile du référent, par exemple 06 12 34 56 78.' });
    const { value } = parseHabilitationRequest(validFormBody({ ...other, referentPhone: '07 12 34 56 78' }));
    expect(value?.referent).toEqual({ firstName: 'Camille', lastName: 'Martin', email: 'camille.martin@exemple.fr', phone: '07 12 34 56 78', profession: 'Directrice' });
    expect(parseHabilitationRequest(validFormBody({ issuerPhone: '' })).errors).toEqual({ issuerPhone: 'Comme référent, indiquez votre numéro de téléphone mobile, par exemple 06 12 34 56 78.' });
  });

  it('returns a French message per field', () => {
    const { value, errors } = parseHabilitationRequest({ ...validFormBody({ issuerEmail: 'pas-un-email', structureType: 'casino', franceServicesLabel: 'on' }), pledge_cgu: '' });
    expect(value).toBeUndefined();
    expect(errors).toEqual({
      issuerEmail: 'Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.',
      structureType: 'Veuillez choisir le type de structure.',
      franceServicesNumber: 'Veuillez renseigner le numéro de labellisation France Services.',
      pledge_cgu: 'Cet engagement est obligatoire pour soumettre la demande.',
    });
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
