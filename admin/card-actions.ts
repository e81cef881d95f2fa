// The card stock in the back-office: cards listed with their aidant and state, « Importer des cartes » (a CSV
// read in the browser and posted as text: refused as a whole with every faulty line named) and « Dissocier la
// carte » (mandatory reason, the card back to the stock). Only roles with the manage_cards capability, checked
// server-side; the seeds never leave the server (admin/internal-fields.ts).
import type { Action, ActionContext, ActionRequest, ActionResponse, RecordActionResponse, ResourceOptions } from 'adminjs';
import { Card } from '../db/models/index.js';
import { CARD_IMPORT_MAX_BYTES, describeImportError } from '../domain/card-import.js';
import { CARD_KINDS, CARD_STATUSES, UNLINK_REASONS } from '../domain/cards.js';
import { DomainError, ValidationError } from '../domain/errors.js';
import { can } from '../domain/roles.js';
import { importCards, unlinkCardById } from '../services/cards.js';
import { createSecretBox } from '../services/secret-box.js';
import { COMPONENTS } from './components.js';

/** How many faulty lines the import page lists (the count says how many there are in all). */
export const SHOWN_IMPORT_ERRORS = 500;

const allowed = ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, 'manage_cards');

type EnumOf = (resourceId: string, property: string, labels: Record<string, string>) => { availableValues: { value: string; label: string }[] };

function importAction(secretsKey: Buffer): Partial<Action<ActionResponse>> {
  const secrets = createSecretBox(secretsKey);
  return {
    actionType: 'resource',
    component: COMPONENTS.CardImport,
    icon: 'Upload',
    custom: { maxBytes: CARD_IMPORT_MAX_BYTES },
    isAccessible: allowed,
    isVisible: allowed,
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const admin = context.currentAdmin!;
      if (request.method !== 'post') return context.record ? { record: context.record.toJSON(admin) } : {};
      const csv = typeof request.payload?.csv === 'string' ? request.payload.csv : '';
      const result = await importCards({ sequelize: Card.sequelize!, secrets }, csv, String(admin.id));
      if (result.errors.length > 0) {
        const count = result.errors.length;
        return {
          notice: { type: 'error', message: `Le fichier est refusé : ${count} ${count > 1 ? 'lignes sont en erreur' : 'ligne est en erreur'}. Aucune carte n’a été importée.` },
          importErrors: result.errors.slice(0, SHOWN_IMPORT_ERRORS).map(describeImportError),
          importErrorCount: count,
        };
      }
      return {
        notice: { type: 'success', message: `${result.imported} ${result.imported > 1 ? 'cartes importées' : 'carte importée'} dans le stock.` },
        redirectUrl: context.h.resourceActionUrl({ resourceId: context.resource.id(), actionName: 'list' }),
      };
    },
  };
}

function unlinkAction(): Partial<Action<ActionResponse>> {
  return {
    actionType: 'record',
    component: COMPONENTS.CardUnlink,
    icon: 'Slash',
    variant: 'danger',
    custom: { reasons: UNLINK_REASONS },
    isAccessible: allowed,
    isVisible: (context: ActionContext) => allowed(context) && context.record?.params.kind === 'physical' && Boolean(context.record?.params.aidantId),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
      const record = context.record!;
      const admin = context.currentAdmin!;
      if (request.method !== 'post') return { record: record.toJSON(admin) };
      const payload = request.payload ?? {};
      try {
        await unlinkCardById(Card.sequelize!, String(record.id()), String(admin.id), String(payload.reason ?? '').trim() || undefined, String(payload.other ?? ''));
      } catch (error) {
        if (error instanceof ValidationError) return { record: record.toJSON(admin), notice: { type: 'error', message: Object.values(error.fieldErrors).join(' ') } };
        if (error instanceof DomainError) return { record: record.toJSON(admin), notice: { type: 'error', message: error.message } };
        throw error;
      }
      const unlinked = (await context.resource.findOne(record.id())) ?? record;
      return {
        record: unlinked.toJSON(admin),
        notice: { type: 'success', message: `La carte ${record.params.serialNumber} est dissociée de son aidant : elle retourne dans le stock.` },
        redirectUrl: context.h.recordActionUrl({ resourceId: context.resource.id(), recordId: record.id(), actionName: 'show' }),
      };
    },
  };
}

/** The Card resource's options (admin/resources.ts registers them). */
export function cardResourceOptions(helpers: { navigation: ResourceOptions['navigation']; enumOf: EnumOf; secretsKey: Buffer }): ResourceOptions {
  const read = { isAccessible: allowed };
  return {
    navigation: helpers.navigation,
    sort: { sortBy: 'createdAt', direction: 'desc' },
    listProperties: ['serialNumber', 'kind', 'status', 'aidantId', 'linkedAt', 'validatedAt', 'unlinkReason'],
    filterProperties: ['serialNumber', 'status', 'kind', 'aidantId', 'isFunctional', 'createdAt'],
    showProperties: [
      'serialNumber', 'kind', 'status', 'aidantId', 'linkedAt', 'validatedAt', 'validatedById', 'unlinkedAt', 'unlinkReason', 'isFunctional',
      'periodSeconds', 'tolerance', 'failedCodes', 'createdAt',
    ],
    properties: {
      serialNumber: { isTitle: true },
      status: helpers.enumOf('cards', 'status', CARD_STATUSES),
      kind: helpers.enumOf('cards', 'kind', CARD_KINDS),
    },
    actions: {
      list: read, show: read, search: read,
      new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
      importCards: importAction(helpers.secretsKey),
      unlinkCard: unlinkAction(),
    },
  };
}

/** The French words of the card resource (admin/translations.ts merges them). */
export const cardTranslations = {
  resources: {
    cards: {
      properties: {
        status: 'État', unlinkedAt: 'Dissociée le', unlinkReason: 'Raison de la dissociation', validatedById: 'Validée par',
        tolerance: 'Tolérance (pas de temps)', failedCodes: 'Codes erronés depuis la dernière connexion',
      },
      actions: { importCards: 'Importer des cartes', unlinkCard: 'Dissocier la carte' },
    },
  },
  actions: { importCards: 'Importer des cartes', unlinkCard: 'Dissocier la carte' },
};
