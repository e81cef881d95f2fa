// « Aperçu de la conservation » (the retention's dry run), an action of the journal resource for the technical
// admin only (capability preview_retention): what the daily retention (workflows/retention.ts) would delete if
// it ran now, and what the daily inactivity duty would purge (idle drafts, sent e-mails' bodies) — counts per kind and the oldest date — computed by the same rules, deleting nothing. Not journaled:
// it reads counts only, no one's data, and changes nothing.
import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { JournalEntry } from '../db/models/index.js';
import { frenchDate } from '../domain/duration.js';
import { RETENTION_COUNT_KEYS, RETENTION_KIND_LABELS, type RetentionPolicy } from '../domain/retention.js';
import { can } from '../domain/roles.js';
import { previewRetention } from '../services/retention.js';
import { INACTIVITY_PURGE_KEYS, INACTIVITY_PURGE_LABELS, type InactivityPolicy } from '../domain/inactivity.js';
import { previewInactivityPurges } from '../services/inactivity.js';
import { COMPONENTS } from './components.js';

const canPreview = ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, 'preview_retention');

/** The preview as the page shows it: one French line per kind. */
export interface RetentionPreviewView {
  at: string;
  rules: string;
  kinds: { key: string; label: string; count: number; oldest: string | null }[];
}

export function retentionPreviewAction(policy: RetentionPolicy, inactivity: InactivityPolicy): Partial<Action<ActionResponse>> {
  return {
    actionType: 'resource',
    component: COMPONENTS.RetentionPreview,
    icon: 'Archive',
    isAccessible: canPreview,
    isVisible: canPreview,
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const now = new Date();
      const preview = await previewRetention(JournalEntry.sequelize!, now, policy);
      const daily = await previewInactivityPurges(JournalEntry.sequelize!, inactivity, now);
      const view: RetentionPreviewView = {
        at: preview.at.toISOString(),
        rules: `Mandats et autorisations : ${policy.mandatYears} ans après leur fin ; usagers sans mandat : ${policy.usagerYears} ans après la fin de leur dernier mandat ; comptes d’aidants : ${policy.aidantYears} ans après leur dernière connexion (anonymisés).`,
        kinds: [
          ...RETENTION_COUNT_KEYS.map((key) => ({ key, label: RETENTION_KIND_LABELS[key], ...preview[key] })),
          ...INACTIVITY_PURGE_KEYS.map((key) => ({ key, label: INACTIVITY_PURGE_LABELS[key], ...daily[key] })),
        ].map(({ oldest, ...kind }) => ({ ...kind, oldest: oldest ? frenchDate(oldest) : null })),
      };
      return { ...(context.record ? { record: context.record.toJSON(context.currentAdmin) } : {}), retention: view };
    },
  };
}
