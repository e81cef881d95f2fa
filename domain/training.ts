// Training sessions (reference §3.5, simplified): the ANCT publishes sessions, each référent registers the
// aidants of their structure who await the training to one of them before their deadline. The rules below are
// shared by the espace référent, the back-office and the service that writes (services/training-sessions.ts).
import { frenchDate, frenchDateTime } from './duration.js';
import { ONBOARDING_STATUSES, parisDay, type OnboardingStatus } from './habilitation.js';

export const TRAINING_MODES = {
  in_person: 'En présentiel',
  online: 'À distance',
} as const;
export type TrainingMode = keyof typeof TRAINING_MODES;
export const TRAINING_MODE_KEYS = Object.keys(TRAINING_MODES) as TrainingMode[];

export interface SessionFacts {
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  isOpen: boolean;
}

export const MAX_CAPACITY = 1000;
/** A session lasts a few days at most: a longer one is a typing mistake. */
export const MAX_SESSION_DAYS = 7;

export const placesLeft = (session: Pick<SessionFacts, 'capacity'>, taken: number): number => Math.max(0, session.capacity - taken);

/** Why an onboarding cannot be registered (or change its registration): only while it awaits the training. */
export function onboardingRegistrationError(status: OnboardingStatus): string | null {
  return status === 'awaiting_training' ? null
    : `L’inscription à une session n’est possible que pour un aidant en attente de formation (statut actuel : « ${ONBOARDING_STATUSES[status]} »).`;
}

/**
 * Why an aidant cannot be registered to a session: closed, already started, ending after the aidant's training
 * deadline (the training must be recorded before it), or full. `taken`: its active registrations.
 */
export function sessionRegistrationError(session: SessionFacts, context: { now: Date; deadline: Date; taken: number }): string | null {
  if (!session.isOpen) return 'Cette session est fermée aux inscriptions : choisissez-en une autre.';
  if (session.startsAt.getTime() <= context.now.getTime()) return 'Cette session a déjà commencé : choisissez une session à venir.';
  if (session.endsAt.getTime() > context.deadline.getTime()) {
    return `Cette session se termine après la date limite de formation de l’aidant (${frenchDate(context.deadline)}) : choisissez une session plus proche.`;
  }
  if (context.taken >= session.capacity) return 'Cette session est complète : choisissez-en une autre.';
  return null;
}

/** A registration changes or ends only before its session starts. */
export function registrationChangeError(session: Pick<SessionFacts, 'startsAt'>, now: Date): string | null {
  return session.startsAt.getTime() <= now.getTime()
    ? 'La session de cet aidant a déjà commencé : son inscription ne peut plus être changée ni annulée.' : null;
}

/** Attendance is recorded once the session took place. */
export function attendanceError(session: Pick<SessionFacts, 'startsAt'>, now: Date): string | null {
  return session.startsAt.getTime() > now.getTime()
    ? 'Cette session n’a pas encore eu lieu : les présences s’enregistrent une fois la session commencée.' : null;
}

/** The training date recorded for an attendee: the Paris day the session started. */
export const sessionTrainingDate = (session: Pick<SessionFacts, 'startsAt'>): string => parisDay(session.startsAt);

/** « le 12/03/2027 de 09:00 à 17:00 », or « du 12/03/2027 à 09:00 au 13/03/2027 à 12:30 » (Paris time). */
export function sessionWhen(startsAt: Date, endsAt: Date): string {
  const [startDay, startTime] = frenchDateTime(startsAt).split(' à ');
  const [endDay, endTime] = frenchDateTime(endsAt).split(' à ');
  return startDay === endDay ? `le ${startDay} de ${startTime} à ${endTime}` : `du ${startDay} à ${startTime} au ${endDay} à ${endTime}`;
}

export interface SessionInput {
  startsAt: Date;
  endsAt: Date;
  mode: TrainingMode;
  location: string;
  capacity: number;
  isOpen: boolean;
}

const parseInstant = (value: unknown): Date | null => {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? null : date;
};

/**
 * A session as the ANCT types it (back-office form values, strings). `current`: the session being edited, with
 * its active registrations: its dates and place are kept while aidants are registered (they were told them),
 * and its capacity never goes under their number. Returns the value or an error per field, in French.
 */
export function parseSessionInput(
  payload: Record<string, unknown>,
  context: { now: Date; current?: SessionInput & { registered: number } },
): { value?: SessionInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const current = context.current;
  const startsAt = parseInstant(payload.startsAt);
  const endsAt = parseInstant(payload.endsAt);
  const mode = String(payload.mode ?? '') as TrainingMode;
  const location = typeof payload.location === 'string' ? payload.location.trim() : '';
  const capacityText = String(payload.capacity ?? '').trim();
  const capacity = /^\d{1,4}$/.test(capacityText) ? Number(capacityText) : NaN;
  const isOpen = payload.isOpen === undefined ? (current?.isOpen ?? true) : ['true', 'on', '1', true].includes(payload.isOpen as string | boolean);

  if (!startsAt) errors.startsAt = 'Indiquez la date et l’heure de début de la session.';
  if (!endsAt) errors.endsAt = 'Indiquez la date et l’heure de fin de la session.';
  const datesChanged = !current || !startsAt || !endsAt || startsAt.getTime() !== current.startsAt.getTime() || endsAt.getTime() !== current.endsAt.getTime();
  if (startsAt && endsAt && datesChanged) {
    if (endsAt.getTime() <= startsAt.getTime()) errors.endsAt = 'La fin de la session doit être après son début.';
    else if (endsAt.getTime() - startsAt.getTime() > MAX_SESSION_DAYS * 86_400_000) errors.endsAt = `Une session dure au plus ${MAX_SESSION_DAYS} jours : vérifiez les dates.`;
    if (startsAt.getTime() <= context.now.getTime()) errors.startsAt = 'La session doit commencer dans le futur.';
  }
  if (!TRAINING_MODE_KEYS.includes(mode)) errors.mode = 'Choisissez « En présentiel » ou « À distance ».';
  if (location.length < 3 || location.length > 1000) {
    errors.location = mode === 'online'
      ? 'Indiquez le lien de la visioconférence ou les instructions pour la rejoindre (entre 3 et 1 000 caractères).'
      : 'Indiquez l’adresse du lieu de formation (entre 3 et 1 000 caractères).';
  }
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
    errors.capacity = `Indiquez le nombre de places : un nombre entier entre 1 et ${MAX_CAPACITY}.`;
  } else if (current && capacity < current.registered) {
    errors.capacity = `La session compte déjà ${current.registered} aidant(s) inscrit(s) : la capacité ne peut pas être inférieure.`;
  }
  if (current && current.registered > 0) {
    const kept = 'Des aidants sont inscrits à cette session : sa date et son lieu ne changent plus. Fermez-la et publiez une nouvelle session ; leurs référents pourront changer leur inscription.';
    if (datesChanged) errors.startsAt = kept;
    if (mode !== current.mode) errors.mode = kept;
    if (location !== current.location.trim()) errors.location = kept;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { value: { startsAt: startsAt!, endsAt: endsAt!, mode, location, capacity, isOpen }, errors };
}
