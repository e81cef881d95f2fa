// The training sessions in the back-office: the ANCT team publishes sessions (date, place or online link,
// places, open or closed), sees who is registered, and once a session took place records in one action who
// attended: the training is then recorded on each attendee's onboarding through its lifecycle. Publishing and
// attendance belong to the ANCT team (manage_training); the comité only reads (follow_onboarding).
import { ValidationError as AdminValidationError, type ActionContext, type ActionRequest, type RecordActionResponse, type RecordJSON, type ResourceWithOptions } from 'adminjs';
import { AidantOnboarding, Organisation, TrainingRegistration, TrainingSession, User } from '../db/models/index.js';
import { DomainError, ValidationError } from '../domain/errors.js';
import { frenchDate, frenchDateTime } from '../domain/duration.js';
import { ONBOARDING_STATUSES, type OnboardingStatus } from '../domain/habilitation.js';
import { can, type BackOfficeCapability } from '../domain/roles.js';
import { parseSessionInput, placesLeft, sessionWhen, TRAINING_MODES, type SessionInput } from '../domain/training.js';
import { appendJournal } from '../services/journal.js';
import type { Lifecycles } from '../services/lifecycles.js';
import { attendanceSummary, recordAttendance, takenPlaces } from '../services/training-sessions.js';
import { COMPONENTS } from './components.js';
import { decorateRows } from './guarded-resource.js';

const NAVIGATION = { name: 'habilitation', icon: 'Calendar' };
const SESSION_FIELDS = ['startsAt', 'endsAt', 'mode', 'location', 'capacity', 'isOpen'] as const;

const allowed = (capability: BackOfficeCapability) => ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, capability);
const sessionTitle = (s: { startsAt: Date; endsAt: Date; mode: keyof typeof TRAINING_MODES }) =>
  `Session ${sessionWhen(new Date(s.startsAt), new Date(s.endsAt))} — ${TRAINING_MODES[s.mode] ?? s.mode}`;

/** A session is named by its dates and mode, with its places left (list, show, references). */
decorateRows('training_sessions', async (rows) => {
  const taken = await takenPlaces(rows.map((row) => String(row.id)));
  for (const row of rows) {
    row.title = sessionTitle(row as unknown as TrainingSession);
    row.placesLeft = placesLeft({ capacity: Number(row.capacity) }, taken.get(String(row.id)) ?? 0);
  }
});

/** A registration is named after its aidant and their structure. */
decorateRows('training_registrations', async (rows) => {
  const onboardings = await AidantOnboarding.findAll({ where: { id: rows.map((row) => String(row.onboardingId)) }, attributes: ['id', 'firstName', 'lastName', 'organisationId'] });
  const structures = await Organisation.findAll({ where: { id: [...new Set(onboardings.map((o) => o.organisationId))] }, attributes: ['id', 'name'] });
  const byId = new Map(onboardings.map((o) => [o.id, o]));
  const names = new Map(structures.map((o) => [o.id, o.name]));
  for (const row of rows) {
    const onboarding = byId.get(String(row.onboardingId));
    row.aidant = onboarding ? `${onboarding.firstName} ${onboarding.lastName} — ${names.get(onboarding.organisationId) ?? 'structure inconnue'}` : 'Aidant inconnu';
  }
});

/** A refused form, with an error next to each field and a French summary (the values typed stay in the form). */
function refusedForm(errors: Record<string, string>): AdminValidationError {
  return new AdminValidationError(
    Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { message }])),
    { message: `Le formulaire contient des erreurs : ${Object.values(errors).join(' ')}`, type: 'validation' },
  );
}

const changesOf = (before: SessionInput, after: SessionInput) => Object.fromEntries(SESSION_FIELDS
  .filter((field) => String(before[field] instanceof Date ? (before[field] as Date).toISOString() : before[field]) !== String(after[field] instanceof Date ? (after[field] as Date).toISOString() : after[field]))
  .map((field) => [field, after[field]]));

/** The registrations of a session, one line each, for its page. */
async function registrationLines(sessionId: string): Promise<{ lines: string[]; choices: object[] }> {
  const registrations = await TrainingRegistration.findAll({ where: { sessionId }, order: [['createdAt', 'ASC']] });
  const onboardings = new Map((await AidantOnboarding.findAll({ where: { id: registrations.map((r) => r.onboardingId) } })).map((o) => [o.id, o]));
  const structures = new Map((await Organisation.findAll({ where: { id: [...new Set([...onboardings.values()].map((o) => o.organisationId))] }, attributes: ['id', 'name'] })).map((o) => [o.id, o.name]));
  const people = new Map((await User.findAll({ where: { id: registrations.map((r) => r.registeredById) }, attributes: ['id', 'firstName', 'lastName'] })).map((u) => [u.id, `${u.firstName} ${u.lastName}`]));
  const lines: string[] = [];
  const choices: object[] = [];
  for (const registration of registrations) {
    const onboarding = onboardings.get(registration.onboardingId)!;
    const name = `${onboarding.firstName} ${onboarding.lastName}`;
    const structure = structures.get(onboarding.organisationId) ?? '';
    const status = ONBOARDING_STATUSES[onboarding.status as OnboardingStatus];
    const state = registration.cancelledAt ? `inscription annulée le ${frenchDateTime(registration.cancelledAt)}`
      : registration.attendanceRecordedAt ? `présence enregistrée le ${frenchDateTime(registration.attendanceRecordedAt)}` : `étape : ${status}`;
    lines.push(`${name} (${structure}) — inscrit(e) le ${frenchDate(registration.createdAt)} par ${people.get(registration.registeredById) ?? 'un référent'} — ${state}`);
    if (!registration.cancelledAt) choices.push({ id: registration.id, name, structure, status, recorded: Boolean(registration.attendanceRecordedAt) });
  }
  return { lines, choices };
}

async function withRegistrations<T extends { record?: RecordJSON }>(response: T): Promise<T> {
  if (response.record?.params?.id) response.record.params.registrations = (await registrationLines(String(response.record.params.id))).lines.join('\n');
  return response;
}

function newSessionAction() {
  return {
    isAccessible: allowed('manage_training'),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
      const { resource, h, currentAdmin } = context;
      if (request.method !== 'post') return { record: resource.build({}).toJSON(currentAdmin) };
      const parsed = parseSessionInput(request.payload ?? {}, { now: new Date() });
      if (!parsed.value) throw refusedForm(parsed.errors);
      const input = parsed.value;
      const actorId = String(currentAdmin!.id);
      const session = await TrainingSession.sequelize!.transaction(async (transaction) => {
        const created = await TrainingSession.create({ ...input, createdById: actorId }, { transaction });
        await appendJournal({
          action: 'training_session_published', actorId,
          details: { sessionId: created.id, event: 'created', startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString(), mode: input.mode, capacity: input.capacity, isOpen: input.isOpen },
        }, transaction);
        return created;
      });
      return {
        record: (await resource.findOne(session.id))!.toJSON(currentAdmin),
        notice: { type: 'success', message: input.isOpen ? 'Session publiée : les référents peuvent y inscrire leurs aidants.' : 'Session enregistrée, fermée aux inscriptions.' },
        redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: session.id, actionName: 'show' }),
      };
    },
  };
}

function editSessionAction() {
  return {
    isAccessible: allowed('manage_training'),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
      const { resource, h, currentAdmin } = context;
      const record = context.record!;
      if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
      const actorId = String(currentAdmin!.id);
      const payload = request.payload ?? {};
      await TrainingSession.sequelize!.transaction(async (transaction) => {
        // Locked: registrations wait, so the capacity is compared with a count that holds.
        const session = (await TrainingSession.findByPk(String(record.id()), { transaction, lock: transaction.LOCK.UPDATE }))!;
        const registered = (await takenPlaces([session.id], transaction)).get(session.id) ?? 0;
        const current: SessionInput = { startsAt: session.startsAt, endsAt: session.endsAt, mode: session.mode, location: session.location, capacity: session.capacity, isOpen: session.isOpen };
        const parsed = parseSessionInput(payload, { now: new Date(), current: { ...current, registered } });
        if (!parsed.value) {
          record.storeParams(payload);
          throw refusedForm(parsed.errors);
        }
        const changes = changesOf(current, parsed.value);
        if (Object.keys(changes).length === 0) return;
        await session.update(parsed.value, { transaction });
        await appendJournal({ action: 'training_session_published', actorId, details: { sessionId: session.id, event: 'updated', changes } }, transaction);
      });
      return {
        record: (await resource.findOne(record.id()))!.toJSON(currentAdmin),
        notice: { type: 'success', message: 'Session mise à jour.' },
        redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: record.id(), actionName: 'show' }),
      };
    },
  };
}

/** The ids of the attendees checked: « id,id » from the component, or one field per id. */
function attendeesOf(payload: Record<string, unknown> | undefined): string[] {
  return Object.entries(payload ?? {})
    .filter(([key]) => key === 'attendees' || key.startsWith('attendees.'))
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]))
    .flatMap((value) => String(value ?? '').split(','))
    .map((id) => id.trim())
    .filter(Boolean);
}

function recordAttendanceAction(lifecycles: Lifecycles) {
  const canRecord = allowed('manage_training');
  return {
    actionType: 'record' as const,
    component: COMPONENTS.AttendanceAction,
    icon: 'CheckSquare',
    variant: 'primary' as const,
    isAccessible: canRecord,
    // Offered once the session started (the training date cannot be in the future).
    isVisible: (context: ActionContext) => canRecord(context) && Boolean(context.record && new Date(context.record.params.startsAt as string).getTime() <= Date.now()),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse & { report?: unknown }> => {
      const record = context.record!;
      const admin = context.currentAdmin!;
      const withChoices = async () => {
        const json = record.toJSON(admin);
        json.params.attendanceChoices = JSON.stringify((await registrationLines(String(record.id()))).choices);
        return json;
      };
      if (request.method !== 'post') return { record: await withChoices() };
      try {
        const report = await recordAttendance({ sequelize: TrainingSession.sequelize!, lifecycles }, {
          sessionId: String(record.id()), registrationIds: attendeesOf(request.payload), actorId: String(admin.id),
        });
        const refused = report.filter((line) => line.outcome === 'refused').length;
        return {
          record: await withChoices(), report,
          notice: { type: refused === 0 ? 'success' : refused === report.length ? 'error' : 'info', message: attendanceSummary(report) },
        };
      } catch (error) {
        if (error instanceof ValidationError) return { record: await withChoices(), notice: { type: 'error', message: Object.values(error.fieldErrors).join(' ') } };
        if (error instanceof DomainError) return { record: await withChoices(), notice: { type: 'error', message: error.message } };
        throw error;
      }
    },
  };
}

const shownOnly = { list: false, show: true, edit: false, filter: false };
const listedAndShown = { list: true, show: true, edit: false, filter: false };

export function trainingResources(lifecycles: Lifecycles): ResourceWithOptions[] {
  const canRead = allowed('follow_onboarding');
  return [
    {
      resource: TrainingSession,
      options: {
        navigation: NAVIGATION,
        sort: { sortBy: 'startsAt', direction: 'desc' },
        listProperties: ['title', 'location', 'capacity', 'placesLeft', 'isOpen'],
        showProperties: ['startsAt', 'endsAt', 'mode', 'location', 'capacity', 'placesLeft', 'isOpen', 'registrations', 'createdById', 'createdAt', 'updatedAt'],
        editProperties: [...SESSION_FIELDS],
        filterProperties: ['startsAt', 'mode', 'isOpen'],
        properties: {
          title: { type: 'string', isTitle: true, isSortable: false, isVisible: listedAndShown },
          placesLeft: { type: 'number', isSortable: false, isVisible: listedAndShown },
          registrations: { type: 'textarea', isSortable: false, isVisible: shownOnly, components: { show: COMPONENTS.Lines } },
          mode: { availableValues: Object.keys(TRAINING_MODES).map((value) => ({ value, label: value })) },
          location: { type: 'textarea' },
        },
        actions: {
          list: { isAccessible: canRead }, search: { isAccessible: canRead },
          show: { isAccessible: canRead, after: withRegistrations },
          new: newSessionAction(),
          edit: editSessionAction(),
          delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
          recordAttendance: recordAttendanceAction(lifecycles),
        },
      },
    },
    {
      resource: TrainingRegistration,
      options: {
        navigation: NAVIGATION,
        sort: { sortBy: 'createdAt', direction: 'desc' },
        listProperties: ['aidant', 'sessionId', 'createdAt', 'cancelledAt', 'attendanceRecordedAt'],
        filterProperties: ['sessionId', 'onboardingId', 'createdAt'],
        properties: { aidant: { type: 'string', isTitle: true, isSortable: false, isVisible: listedAndShown } },
        actions: {
          list: { isAccessible: canRead }, show: { isAccessible: canRead }, search: { isAccessible: canRead },
          new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
        },
      },
    },
  ];
}

const PROPERTY_LABELS = {
  training_sessions: {
    title: 'Session', startsAt: 'Début', endsAt: 'Fin', mode: 'Modalité', location: 'Lieu, ou lien et instructions de connexion',
    capacity: 'Nombre de places', placesLeft: 'Places restantes', isOpen: 'Ouverte aux inscriptions', registrations: 'Aidants inscrits',
    createdById: 'Publiée par', createdAt: 'Publiée le', updatedAt: 'Modifiée le',
  },
  training_registrations: {
    aidant: 'Aidant et structure', sessionId: 'Session', onboardingId: 'Aidant à former', registeredById: 'Inscrit(e) par', createdAt: 'Inscrit(e) le',
    cancelledAt: 'Annulée le', cancelledById: 'Annulée par', attendanceRecordedAt: 'Présence enregistrée le', attendanceRecordedById: 'Présence enregistrée par',
  },
};

/** The French words of these resources, merged into the back-office's translations (admin/translations.ts). */
export const TRAINING_TRANSLATIONS = {
  labels: { training_sessions: 'Sessions de formation', training_registrations: 'Inscriptions en formation' },
  actions: { recordAttendance: 'Enregistrer les présences' },
  resources: {
    training_sessions: {
      properties: PROPERTY_LABELS.training_sessions,
      labels: { mode: { ...TRAINING_MODES } },
      actions: { recordAttendance: 'Enregistrer les présences' },
    },
    training_registrations: { properties: PROPERTY_LABELS.training_registrations },
  },
};
