// The journal in the back-office: read-only for every role (the table itself refuses UPDATE and DELETE), listed
// with filters (action, structure, auteur, usager, dates), a record page in French, « Exporter en CSV » (the
// download itself is admin/journal-export-route.ts) and « Vérifier la chaîne d’empreintes ».
//
// Who reads it: the ANCT team and the technical admin (capability read_journal). The journal says which aidant
// acted for which usager and when: the comité (anct_jury) decides habilitations and has no need of it.
// Verifying the chain (capability verify_journal) is the technical admin's: it reads every entry, and a broken
// chain is an incident for whoever administers the database.
//
// The hash chain is shown: each hash is a SHA-256 of the entry's own content and of the previous hash, with no
// key, so it proves nothing to whoever can read the entry and grants nothing; showing it lets an auditor compare
// with a copy. It is sealed about a second after the entry's commit (migration 0033): read from journal_seals.
import type { Action, ActionContext, ActionRequest, ActionResponse, ResourceOptions } from 'adminjs';
import { can } from '../domain/roles.js';
import { describeDemarches, describeDetails } from '../domain/journal-export.js';
import { JOURNAL_ACTIONS, type JournalAction } from '../domain/journal.js';
import { describeVerification } from '../domain/journal-verification.js';
import { QueryTypes } from 'sequelize';
import { JournalEntry } from '../db/models/index.js';
import { DEFAULT_RETENTION_POLICY, type RetentionPolicy } from '../domain/retention.js';
import { DEFAULT_INACTIVITY_POLICY, type InactivityPolicy } from '../domain/inactivity.js';
import { appendJournal, journalSeals, verifyJournalChain } from '../services/journal.js';
import { COMPONENTS } from './components.js';
import { decorateRows } from './guarded-resource.js';
import { retentionPreviewAction } from './retention-preview.js';

type EnumOf = (resourceId: string, property: string, labels: Record<string, string>) => { availableValues: { value: string; label: string }[] };

const canRead = ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, 'read_journal');
const canVerify = ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, 'verify_journal');

const NOT_YET_SEALED = 'pas encore scellée (dans quelques secondes)';

/** The record page's French view of the details and démarches, and its title (breadcrumbs, page header). */
decorateRows('journal', async (rows) => {
  const erased = await erasedPeople(rows);
  const seals = await journalSeals(JournalEntry.sequelize!, rows.map((row) => String(row.id)));
  for (const row of rows) {
    const seal = seals.get(String(row.id));
    row.chainPosition = seal?.position ?? NOT_YET_SEALED;
    row.hash = seal?.hash ?? NOT_YET_SEALED;
    row.previousHash = seal?.previousHash ?? NOT_YET_SEALED;
    row.summary = `${JOURNAL_ACTIONS[row.action as JournalAction] ?? row.action} (entrée n° ${row.id})`;
    row.detailsText = describeDetails(row.details as Record<string, unknown> | null).join('\n');
    row.demarchesText = describeDemarches(row.demarches as string[] | null);
    row.erasureNote = [
      row.usagerId && erased.usagers.has(String(row.usagerId)) ? 'relatif à un usager supprimé' : null,
      row.actorId && erased.aidants.has(String(row.actorId)) ? 'relatif à un aidant supprimé' : null,
    ].filter(Boolean).join(' ; ');
  }
});

/**
 * The usagers the retention deleted and the aidant accounts it anonymised, among those the rows name: the entry
 * keeps the id (its hash covers it), the person's data is gone (workflows/retention.ts).
 */
async function erasedPeople(rows: Record<string, unknown>[]): Promise<{ usagers: Set<string>; aidants: Set<string> }> {
  const ids = (key: string) => [...new Set(rows.map((row) => row[key]).filter((id): id is string => typeof id === 'string' && id !== ''))];
  const [usagerIds, actorIds] = [ids('usagerId'), ids('actorId')];
  const sequelize = JournalEntry.sequelize!;
  const existing = usagerIds.length === 0 ? [] : await sequelize.query<{ id: string }>(
    'SELECT id FROM usagers WHERE id = ANY(ARRAY[:ids]::uuid[])', { replacements: { ids: usagerIds }, type: QueryTypes.SELECT });
  const anonymised = actorIds.length === 0 ? [] : await sequelize.query<{ id: string }>(
    'SELECT id FROM users WHERE id = ANY(ARRAY[:ids]::uuid[]) AND anonymised_at IS NOT NULL', { replacements: { ids: actorIds }, type: QueryTypes.SELECT });
  const present = new Set(existing.map((row) => row.id));
  return { usagers: new Set(usagerIds.filter((id) => !present.has(id))), aidants: new Set(anonymised.map((row) => row.id)) };
}

function exportAction(): Partial<Action<ActionResponse>> {
  return {
    actionType: 'resource',
    component: COMPONENTS.JournalExport,
    icon: 'Download',
    isAccessible: canRead,
    isVisible: canRead,
    // The page only shows the download link; the file comes from GET /admin/journal/export.csv.
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext) => (context.record ? { record: context.record.toJSON(context.currentAdmin) } : {}),
  };
}

function verifyAction(): Partial<Action<ActionResponse>> {
  return {
    actionType: 'resource',
    component: COMPONENTS.JournalVerify,
    icon: 'CheckCircle',
    isAccessible: canVerify,
    isVisible: canVerify,
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      if (request.method !== 'post') return context.record ? { record: context.record.toJSON(context.currentAdmin) } : {};
      const result = await verifyJournalChain();
      await appendJournal({ action: 'journal_verified', actorId: String(context.currentAdmin!.id), details: { checked: result.checked, brokenAt: result.brokenAt } });
      const message = describeVerification(result);
      return { verification: { ...result, message }, notice: { type: result.brokenAt ? 'error' : 'success', message } };
    },
  };
}

/** The journal resource's options (admin/resources.ts registers them). */
export function journalResourceOptions(helpers: { navigation: ResourceOptions['navigation']; enumOf: EnumOf; retention?: RetentionPolicy; inactivity?: InactivityPolicy }): ResourceOptions {
  const read = { isAccessible: canRead };
  const computed = (show: boolean) => ({ type: 'textarea' as const, isSortable: false, isVisible: { list: false, show, edit: false, filter: false } });
  return {
    navigation: helpers.navigation,
    sort: { sortBy: 'id', direction: 'desc' },
    listProperties: ['createdAt', 'action', 'actorId', 'organisationId', 'usagerId', 'erasureNote'],
    filterProperties: ['action', 'organisationId', 'actorId', 'usagerId', 'createdAt'],
    showProperties: [
      'id', 'createdAt', 'action', 'actorId', 'organisationId', 'usagerId', 'erasureNote', 'mandatId', 'autorisationId', 'habilitationRequestId', 'onboardingId',
      'demarchesText', 'durationDays', 'detailsText', 'chainPosition', 'hash', 'previousHash',
    ],
    properties: {
      action: helpers.enumOf('journal', 'action', JOURNAL_ACTIONS),
      summary: { type: 'string', isTitle: true, isSortable: false, isVisible: false },
      detailsText: { ...computed(true), components: { show: COMPONENTS.Lines } },
      demarchesText: { ...computed(true), type: 'string' },
      erasureNote: { type: 'string', isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } },
      chainPosition: { ...computed(true), type: 'string' },
      hash: { ...computed(true), type: 'string' },
      previousHash: { ...computed(true), type: 'string' },
    },
    actions: {
      list: read, show: read, search: read,
      new: { isAccessible: false, isVisible: false }, edit: { isAccessible: false, isVisible: false },
      delete: { isAccessible: false, isVisible: false }, bulkDelete: { isAccessible: false, isVisible: false },
      exportCsv: exportAction(),
      verifyJournal: verifyAction(),
      retentionPreview: retentionPreviewAction(helpers.retention ?? DEFAULT_RETENTION_POLICY, helpers.inactivity ?? DEFAULT_INACTIVITY_POLICY),
    },
  };
}

const ACTIONS = { exportCsv: 'Exporter en CSV', verifyJournal: 'Vérifier la chaîne d’empreintes', retentionPreview: 'Aperçu de la conservation' };

/** The French words of the journal resource (admin/translations.ts merges them). */
export const JOURNAL_TRANSLATIONS = {
  resources: {
    journal: {
      properties: {
        id: 'N° d’entrée', actorId: 'Auteur', organisationId: 'Structure', usagerId: 'Usager', mandatId: 'Mandat', autorisationId: 'Autorisation',
        habilitationRequestId: 'Demande d’habilitation', onboardingId: 'Habilitation d’aidant', demarchesText: 'Démarches',
        durationDays: 'Durée (jours)', detailsText: 'Détails', summary: 'Entrée', erasureNote: 'Personne effacée',
        chainPosition: 'Position dans la chaîne',
      },
      actions: ACTIONS,
    },
  },
  actions: ACTIONS,
};
