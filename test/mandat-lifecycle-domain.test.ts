// The mandat lifecycle's pure rules: when a reminder falls due (08:00 Paris, across daylight-saving changes),
// which durations get reminders, and the French refusals of a revocation.
import { DEFAULT_MANDAT_POLICY, MANDAT_REFUSALS, mandatReminders, parisHourOn, revocationError } from '../domain/mandat-lifecycle.js';

const DAY = 86_400_000;

describe('mandat lifecycle rules', () => {
  it('places 08:00 Paris on the right instant in winter, in summer and on both changeover days', () => {
    expect(new Date(parisHourOn('2026-03-28', 8)).toISOString()).toBe('2026-03-28T07:00:00.000Z');
    expect(new Date(parisHourOn('2026-03-29', 8)).toISOString()).toBe('2026-03-29T06:00:00.000Z'); // summer time from 02:00
    expect(new Date(parisHourOn('2026-10-25', 8)).toISOString()).toBe('2026-10-25T07:00:00.000Z'); // winter time from 03:00
    expect(new Date(parisHourOn('2026-07-14', 8)).toISOString()).toBe('2026-07-14T06:00:00.000Z');
  });

  it('reminds SEMESTER and LONG mandats 30 then 7 days before, on the Paris day, never SHORT nor MONTH', () => {
    const expiresAt = Date.parse('2027-04-10T22:30:00.000Z'); // already 11 April in Paris
    expect(mandatReminders(expiresAt, 'SHORT', DEFAULT_MANDAT_POLICY)).toEqual([]);
    expect(mandatReminders(expiresAt, 'MONTH', DEFAULT_MANDAT_POLICY)).toEqual([]);
    expect(mandatReminders(expiresAt, 'SEMESTER', DEFAULT_MANDAT_POLICY)).toEqual([
      { offsetDays: 30, day: '2027-03-12', at: Date.parse('2027-03-12T07:00:00.000Z') },
      { offsetDays: 7, day: '2027-04-04', at: Date.parse('2027-04-04T06:00:00.000Z') },
    ]);
    expect(mandatReminders(expiresAt, 'LONG', { ...DEFAULT_MANDAT_POLICY, reminderOffsetsDays: [7, 30, 7] }).map((r) => r.offsetDays)).toEqual([30, 7]);
  });

  it('refuses a revocation of a mandat no longer in force, or of a démarche unknown or already revoked', () => {
    const now = Date.parse('2027-01-01T00:00:00.000Z');
    const mandat = { status: 'active' as const, expiresAt: new Date(now + DAY).toISOString(), demarches: [{ demarche: 'papiers' as const, revoked: false }, { demarche: 'social' as const, revoked: true }] };
    expect(revocationError(mandat, now)).toBeNull();
    expect(revocationError(mandat, now, 'papiers')).toBeNull();
    expect(revocationError(mandat, now, 'social')).toBe(MANDAT_REFUSALS.demarcheRevoked);
    expect(revocationError(mandat, now, 'argent')).toBe(MANDAT_REFUSALS.unknownDemarche);
    expect(revocationError(mandat, now + DAY, 'papiers')).toBe(MANDAT_REFUSALS.expired); // at its expiry, before the workflow recorded it
    expect(revocationError({ ...mandat, status: 'expired' }, now)).toBe(MANDAT_REFUSALS.expired);
    expect(revocationError({ ...mandat, status: 'revoked' }, now)).toBe('Ce mandat est déjà révoqué.');
    expect(revocationError({ ...mandat, status: 'superseded' }, now)).toBe(MANDAT_REFUSALS.superseded);
    expect(revocationError({ ...mandat, phase: 'closed' }, now)).toBe(MANDAT_REFUSALS.closed);
  });
});
