// Back-office actions that move a lifecycle. Each one is offered only to the roles allowed (isAccessible,
// checked server-side) and only in the states where it makes sense (isVisible), then goes through the
// workflow: never a direct status write. A GET shows the form; the POST performs the action.
import type { Action, ActionContext, ActionRequest, RecordActionResponse } from 'adminjs';

type ResourceAction = Action<RecordActionResponse>;
import { DomainError, ValidationError } from '../domain/errors.js';
import { canCancelOnboarding, parisDay, trainingDateError, type ComiteDecision, type OnboardingStatus } from '../domain/habilitation.js';
import { HabilitationRequest } from '../db/models/index.js';
import { can, type BackOfficeCapability } from '../domain/roles.js';
import type { Lifecycles } from '../services/lifecycles.js';
import { postRequestMessage } from '../services/habilitation.js';
import {
  cancelOnboardingUpdate, cardShipmentUpdate, recordTrainingUpdate, reopenOnboardingUpdate,
} from '../workflows/messages.js';
import { COMPONENTS } from './components.js';
import { isUnavailable } from '../server/web/unavailable.js';

/** Temporal or the database unreachable: the action may or may not have been taken; repeating it is safe. */
export const LIFECYCLE_UNAVAILABLE = 'Le service est momentanément indisponible : cette action n’a peut-être pas abouti. Dans quelques instants, rechargez la fiche pour voir où en est le dossier, puis refaites l’action si besoin (une même décision n’est jamais appliquée deux fois).';

export interface Field { name: string; label: string; type: 'textarea' | 'date' | 'text'; required?: boolean; hint?: string }

export interface LifecycleActionOptions {
  capability: BackOfficeCapability;
  fields: Field[];
  /** Record params → whether the action applies in this state. */
  when: (params: Record<string, unknown>) => boolean;
  perform: (payload: Record<string, string>, params: Record<string, unknown>, adminId: string) => Promise<string>;
  icon?: string;
  variant?: 'primary' | 'danger' | 'success';
}

export function lifecycleAction(options: LifecycleActionOptions): Partial<ResourceAction> {
  const allowed = ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, options.capability);
  return {
    actionType: 'record',
    component: COMPONENTS.LifecycleAction,
    icon: options.icon ?? 'Check',
    variant: options.variant ?? 'primary',
    custom: { fields: options.fields },
    isAccessible: allowed,
    isVisible: (context: ActionContext) => allowed(context) && Boolean(context.record && options.when(context.record.params)),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
      const record = context.record!;
      const admin = context.currentAdmin!;
      if (request.method !== 'post') return { record: record.toJSON(admin) };
      const payload = Object.fromEntries(Object.entries(request.payload ?? {}).map(([k, v]) => [k, String(v ?? '').trim()]));
      const missing = options.fields.find((f) => f.required && !payload[f.name]);
      if (missing) return { record: record.toJSON(admin), notice: { type: 'error', message: `Le champ « ${missing.label} » est obligatoire.` } };
      try {
        const message = await options.perform(payload, record.params, String(admin.id));
        return {
          record: record.toJSON(admin),
          notice: { type: 'success', message },
          redirectUrl: context.h.recordActionUrl({ resourceId: context.resource.id(), recordId: record.id(), actionName: 'show' }),
        };
      } catch (error) {
        if (error instanceof ValidationError) return { record: record.toJSON(admin), notice: { type: 'error', message: Object.values(error.fieldErrors).join(' ') } };
        if (error instanceof DomainError) return { record: record.toJSON(admin), notice: { type: 'error', message: error.message } };
        if (isUnavailable(error)) return { record: record.toJSON(admin), notice: { type: 'error', message: LIFECYCLE_UNAVAILABLE } };
        throw error;
      }
    },
  };
}

const MOTIF: Field = { name: 'motif', label: 'Motif (communiqué au demandeur)', type: 'textarea', required: true };
const STATUS_LABELS: Record<string, string> = { validated: 'validée', refused: 'refusée', changes_required: 'renvoyée au demandeur pour modifications' };

function decision(lifecycles: Lifecycles, kind: ComiteDecision, variant: LifecycleActionOptions['variant'], icon: string) {
  return lifecycleAction({
    capability: 'decide_habilitation',
    fields: [MOTIF],
    icon,
    variant,
    when: (params) => params.status === 'awaiting_comite',
    perform: async (payload, params, adminId) => {
      const { status } = await lifecycles.decideHabilitationRequest(String(params.id), { decision: kind, motif: payload.motif, juryMemberId: adminId });
      return `La demande a été ${STATUS_LABELS[status] ?? status}.`;
    },
  });
}

export function habilitationRequestActions(lifecycles: Lifecycles, publicUrl: string, secretsKey: Buffer): Record<string, Partial<ResourceAction>> {
  return {
    sendMessage: lifecycleAction({
      capability: 'follow_onboarding',
      fields: [{ name: 'content', label: 'Message au demandeur', type: 'textarea', required: true }],
      icon: 'Mail',
      when: (params) => params.status !== 'draft',
      perform: async (payload, params, adminId) => {
        await postRequestMessage({ publicUrl, links: { publicUrl, secretsKey }, sendEmail: (email) => lifecycles.sendEmail(email) }, { requestId: String(params.id), sender: 'anct', content: payload.content, authorId: adminId });
        return 'Message envoyé au demandeur.';
      },
    }),
    validate: decision(lifecycles, 'validate', 'success', 'CheckCircle'),
    refuse: decision(lifecycles, 'refuse', 'danger', 'XCircle'),
    requireChanges: decision(lifecycles, 'require_changes', 'primary', 'Edit'),
  };
}

export function onboardingActions(lifecycles: Lifecycles): Record<string, Partial<ResourceAction>> {
  const today = () => parisDay(Date.now());
  return {
    recordTraining: lifecycleAction({
      capability: 'follow_onboarding',
      fields: [{ name: 'trainingDate', label: 'Date de la formation', type: 'date', required: true, hint: `Au plus tard aujourd’hui (${today()}).` }],
      when: (params) => params.status === 'awaiting_training',
      perform: async (payload, params, adminId) => {
        // The workflow applies the same rule; checking here first answers with the field in error.
        const request = params.habilitationRequestId ? await HabilitationRequest.findByPk(String(params.habilitationRequestId), { attributes: ['createdAt'] }) : null;
        const dateError = trainingDateError(payload.trainingDate, { today: today(), notBefore: request ? parisDay(request.createdAt) : null });
        if (dateError) throw new ValidationError({ trainingDate: dateError });
        await lifecycles.updateOnboarding(String(params.id), recordTrainingUpdate, { trainingDate: payload.trainingDate, actorId: adminId });
        return 'Formation enregistrée : le compte de l’aidant va être activé.';
      },
    }),
    reopen: lifecycleAction({
      capability: 'follow_onboarding',
      fields: [{ name: 'deadline', label: 'Nouvelle date limite de formation', type: 'date', required: true }],
      when: (params) => params.status === 'lapsed',
      icon: 'RotateCcw',
      perform: async (payload, params, adminId) => {
        await lifecycles.updateOnboarding(String(params.id), reopenOnboardingUpdate, { deadline: `${payload.deadline}T23:59:59.000Z`, actorId: adminId });
        return 'Habilitation rouverte avec un nouveau délai de formation.';
      },
    }),
    cancel: lifecycleAction({
      capability: 'follow_onboarding',
      fields: [{ name: 'reason', label: 'Motif de l’annulation', type: 'textarea', required: true }],
      // One awaiting the eligibility decision has no lifecycle yet: « Refuser » (admin/onboarding-actions.ts) closes it.
      when: (params) => canCancelOnboarding(params.status as OnboardingStatus) && params.status !== 'awaiting_eligibility',
      icon: 'Slash',
      variant: 'danger',
      perform: async (payload, params, adminId) => {
        await lifecycles.updateOnboarding(String(params.id), cancelOnboardingUpdate, { reason: payload.reason, actorId: adminId, requestedBy: 'anct' });
        return 'Habilitation annulée.';
      },
    }),
  };
}

export function shipmentActions(lifecycles: Lifecycles): Record<string, Partial<ResourceAction>> {
  const move = (status: 'sent' | 'delivered' | 'lost' | 'returned', from: string[], message: string, fields: Field[] = []) => lifecycleAction({
    capability: 'manage_cards',
    fields,
    icon: 'Truck',
    when: (params) => from.includes(String(params.status)),
    perform: async (payload, params, adminId) => {
      await lifecycles.updateOnboarding(String(params.onboardingId), cardShipmentUpdate, { status, trackingNumber: payload.trackingNumber || undefined, actorId: adminId });
      return message;
    },
  });
  return {
    markSent: move('sent', ['preparing', 'lost', 'returned'], 'Envoi enregistré : le référent est prévenu.', [{ name: 'trackingNumber', label: 'Numéro de suivi', type: 'text', required: true }]),
    markDelivered: move('delivered', ['sent'], 'Livraison enregistrée : le référent peut associer la carte.'),
    markLost: move('lost', ['sent'], 'Colis déclaré perdu.'),
    markReturned: move('returned', ['sent'], 'Colis déclaré retourné.'),
  };
}
