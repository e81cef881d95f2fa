// The translations of the mandat's text in the back-office: the ANCT team writes one per language (code,
// names, direction, the text, the version of the French text it translates), then publishes it; aidants
// then offer it next to the printed draft. Every creation, change and (un)publication is journaled in the
// same transaction. A translation of an older version shows « À mettre à jour » and cannot be published.
import { ValidationError as AdminValidationError, type ActionContext, type ActionRequest, type RecordActionResponse, type ResourceWithOptions } from 'adminjs';
import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import { MandatTranslation } from '../db/models/index.js';
import { DomainError } from '../domain/errors.js';
import { MANDAT_TEXT_VERSIONS } from '../domain/mandat.js';
import {
  parseTranslationInput, publicationError, translationCurrentness, TEXT_DIRECTIONS, TRANSLATION_FIELDS, type TranslationInput,
} from '../domain/mandat-translation.js';
import { can, type BackOfficeCapability } from '../domain/roles.js';
import { appendJournal } from '../services/journal.js';
import { lifecycleAction } from './actions.js';
import { decorateRows } from './guarded-resource.js';

const NAVIGATION = { name: 'mandats', icon: 'FileText' };
const allowed = (capability: BackOfficeCapability) => ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, capability);
const listedAndShown = { list: true, show: true, edit: false, filter: false };

const duplicateLanguage = (code: string) => `Une traduction existe déjà pour la langue « ${code} » : modifiez-la plutôt que d’en créer une autre.`;

/** Each row says whether it translates the text in force (the aidants are offered only those). */
decorateRows('mandat_translations', async (rows) => {
  for (const row of rows) row.currentness = translationCurrentness({ textVersion: String(row.textVersion) });
});

/** A refused form, with an error next to each field and a French summary (the values typed stay in the form). */
function refusedForm(errors: Record<string, string>): AdminValidationError {
  return new AdminValidationError(
    Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { message }])),
    { message: `Le formulaire contient des erreurs : ${Object.values(errors).join(' ')}`, type: 'validation' },
  );
}

/** Refuses a second translation of the same language (the unique index is the last guard). */
async function assertLanguageFree(code: string, exceptId: string | null, transaction: Transaction) {
  const taken = await MandatTranslation.findOne({
    where: { languageCode: { [Op.iLike]: code }, ...(exceptId ? { id: { [Op.ne]: exceptId } } : {}) }, transaction,
  });
  if (taken) throw refusedForm({ languageCode: duplicateLanguage(code) });
}

/** The form's values, or the form refused (French errors next to the fields). */
function parsed(payload: Record<string, unknown> | undefined): TranslationInput {
  const result = parseTranslationInput(payload ?? {});
  if (!result.value) throw refusedForm(result.errors);
  return result.value;
}

const uniqueRefusal = (error: unknown, code: string) => {
  if (error instanceof UniqueConstraintError) return refusedForm({ languageCode: duplicateLanguage(code) });
  return error;
};

function newTranslationAction() {
  return {
    isAccessible: allowed('manage_mandat_translations'),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
      const { resource, h, currentAdmin } = context;
      if (request.method !== 'post') return { record: resource.build({}).toJSON(currentAdmin) };
      const input = parsed(request.payload);
      const actorId = String(currentAdmin!.id);
      const created = await MandatTranslation.sequelize!.transaction(async (transaction) => {
        await assertLanguageFree(input.languageCode, null, transaction);
        const translation = await MandatTranslation.create({ ...input, isPublished: false, createdById: actorId, updatedById: actorId }, { transaction });
        await appendJournal({
          action: 'mandat_translation_changed', actorId,
          details: { translationId: translation.id, languageCode: input.languageCode, event: 'created', textVersion: input.textVersion },
        }, transaction);
        return translation;
      }).catch((error) => { throw uniqueRefusal(error, input.languageCode); });
      return {
        record: (await resource.findOne(created.id))!.toJSON(currentAdmin),
        notice: { type: 'success', message: 'Traduction enregistrée, non publiée : relisez-la puis publiez-la pour que les aidants puissent l’imprimer.' },
        redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: created.id, actionName: 'show' }),
      };
    },
  };
}

function editTranslationAction() {
  return {
    isAccessible: allowed('manage_mandat_translations'),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
      const { resource, h, currentAdmin } = context;
      const record = context.record!;
      if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
      const payload = request.payload ?? {};
      const result = parseTranslationInput(payload);
      if (!result.value) {
        record.storeParams(payload);
        throw refusedForm(result.errors);
      }
      const input = result.value;
      const actorId = String(currentAdmin!.id);
      let unpublished = false;
      await MandatTranslation.sequelize!.transaction(async (transaction) => {
        const translation = (await MandatTranslation.findByPk(String(record.id()), { transaction, lock: transaction.LOCK.UPDATE }))!;
        await assertLanguageFree(input.languageCode, translation.id, transaction);
        const changed = TRANSLATION_FIELDS.filter((field) => translation[field] !== input[field]);
        if (changed.length === 0) return;
        // A published translation moved to an older version would be offered no more: it is unpublished, said so.
        unpublished = translation.isPublished && publicationError(input) !== null;
        await translation.update({ ...input, updatedById: actorId, ...(unpublished ? { isPublished: false } : {}) }, { transaction });
        await appendJournal({
          action: 'mandat_translation_changed', actorId,
          details: { translationId: translation.id, languageCode: input.languageCode, event: 'updated', changed, ...(unpublished ? { unpublished: true } : {}) },
        }, transaction);
      }).catch((error) => { throw uniqueRefusal(error, input.languageCode); });
      return {
        record: (await resource.findOne(record.id()))!.toJSON(currentAdmin),
        notice: { type: 'success', message: unpublished ? 'Traduction mise à jour et dépubliée : elle ne traduit plus le texte en vigueur.' : 'Traduction mise à jour.' },
        redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: record.id(), actionName: 'show' }),
      };
    },
  };
}

/** Publishes or withdraws a translation (journaled); only one of the text in force is published. */
function publication(publish: boolean) {
  return lifecycleAction({
    capability: 'manage_mandat_translations',
    fields: [],
    icon: publish ? 'Eye' : 'EyeOff',
    variant: publish ? 'success' : 'danger',
    when: (params) => Boolean(params.isPublished) !== publish,
    perform: async (_payload, params, actorId) => {
      await MandatTranslation.sequelize!.transaction(async (transaction) => {
        const translation = await MandatTranslation.findByPk(String(params.id), { transaction, lock: transaction.LOCK.UPDATE });
        if (!translation) throw new DomainError('Cette traduction est introuvable.', 'not_found', 404);
        if (translation.isPublished === publish) return;
        const refusal = publish ? publicationError(translation) : null;
        if (refusal) throw new DomainError(refusal, 'translation_outdated', 409);
        await translation.update({ isPublished: publish, updatedById: actorId }, { transaction });
        await appendJournal({
          action: 'mandat_translation_changed', actorId,
          details: { translationId: translation.id, languageCode: translation.languageCode, event: publish ? 'published' : 'unpublished' },
        }, transaction);
      });
      return publish ? 'Traduction publiée : les aidants peuvent l’imprimer avec le projet de mandat.' : 'Traduction retirée : les aidants ne la voient plus.';
    },
  });
}

const publicationActions = () => ({ publish: publication(true), unpublish: publication(false) });

export function translationResources(): ResourceWithOptions[] {
  const canRead = allowed('read_mandats');
  const canWrite = allowed('manage_mandat_translations');
  const canSee = (context: ActionContext) => canRead(context) || canWrite(context);
  return [{
    resource: MandatTranslation,
    options: {
      navigation: NAVIGATION,
      sort: { sortBy: 'nameFr', direction: 'asc' },
      listProperties: ['nameFr', 'languageCode', 'direction', 'textVersion', 'currentness', 'isPublished', 'updatedAt'],
      showProperties: ['nameFr', 'nameNative', 'languageCode', 'direction', 'textVersion', 'currentness', 'isPublished', 'body', 'createdById', 'updatedById', 'createdAt', 'updatedAt'],
      editProperties: ['languageCode', 'nameFr', 'nameNative', 'direction', 'textVersion', 'body'],
      filterProperties: ['languageCode', 'isPublished', 'textVersion'],
      properties: {
        nameFr: { isTitle: true },
        currentness: { type: 'string', isSortable: false, isVisible: listedAndShown },
        direction: { availableValues: Object.keys(TEXT_DIRECTIONS).map((value) => ({ value, label: value })) },
        textVersion: { availableValues: MANDAT_TEXT_VERSIONS.map((value) => ({ value, label: value })) },
        body: { type: 'textarea', props: { rows: 20 } },
      },
      actions: {
        list: { isAccessible: canSee }, search: { isAccessible: canSee }, show: { isAccessible: canSee },
        new: newTranslationAction(),
        edit: editTranslationAction(),
        delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
        ...publicationActions(),
      },
    },
  }];
}
