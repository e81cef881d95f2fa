// The ANCT's decisions on what the référents ask from the espace référent: the eligibility of an aidant to
// train (« Valider l’éligibilité » starts the aidant's onboarding lifecycle, « Refuser » tells the référents
// why), and the structure-change requests of aidants already trained elsewhere (accepted: the aidant joins).
import type { Action, ActionContext, RecordActionResponse, ResourceWithOptions } from 'adminjs';
import { StructureChangeRequest } from '../db/models/index.js';
import { can, type BackOfficeCapability } from '../domain/roles.js';
import { STRUCTURE_CHANGE_STATUSES } from '../domain/structure-members.js';
import { renderContext } from '../emails/render.js';
import type { Lifecycles } from '../services/lifecycles.js';
import {
  decideStructureChange, eligibilityToValidate, refuseEligibility, validateEligibility, type MembersDeps,
} from '../services/structure-members.js';
import { lifecycleAction } from './actions.js';

type ResourceAction = Action<RecordActionResponse>;

function membersDeps(lifecycles: Lifecycles, publicUrl: string): MembersDeps {
  // The models are initialised on the web process's Sequelize instance before AdminJS serves anything.
  return { get sequelize() { return StructureChangeRequest.sequelize!; }, render: renderContext(publicUrl), lifecycles };
}

/** Actions on an onboarding (resource aidant_onboardings) asked by a référent and awaiting the ANCT. */
export function eligibilityActions(lifecycles: Lifecycles, publicUrl: string): Record<string, Partial<ResourceAction>> {
  const deps = membersDeps(lifecycles, publicUrl);
  return {
    validateEligibility: lifecycleAction({
      capability: 'follow_onboarding',
      fields: [],
      icon: 'CheckCircle',
      variant: 'success',
      when: eligibilityToValidate,
      perform: async (_payload, params, adminId) => {
        await validateEligibility(deps, { onboardingId: String(params.id), actorId: adminId });
        return 'Éligibilité validée : l’aidant est invité à suivre la formation dans les deux mois.';
      },
    }),
    refuseEligibility: lifecycleAction({
      capability: 'follow_onboarding',
      fields: [{ name: 'reason', label: 'Motif du refus (communiqué aux référents de la structure)', type: 'textarea', required: true }],
      icon: 'XCircle',
      variant: 'danger',
      when: (params) => params.status === 'awaiting_eligibility',
      perform: async (payload, params, adminId) => {
        await refuseEligibility(deps, { onboardingId: String(params.id), actorId: adminId, reason: payload.reason });
        return 'Demande refusée : les référents de la structure sont informés du motif.';
      },
    }),
  };
}

const allowed = (capability: BackOfficeCapability) => ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, capability);

/** The structure-change requests, read-only but for the two decisions. */
export function structureChangeResource(lifecycles: Lifecycles, publicUrl: string, navigation: { name: string; icon: string }): ResourceWithOptions {
  const deps = membersDeps(lifecycles, publicUrl);
  const canRead = allowed('follow_onboarding');
  const decide = (accept: boolean) => lifecycleAction({
    capability: 'follow_onboarding',
    fields: [],
    icon: accept ? 'CheckCircle' : 'XCircle',
    variant: accept ? 'success' : 'danger',
    when: (params) => params.status === 'pending',
    perform: async (_payload, params, adminId) => {
      await decideStructureChange(deps, { requestId: String(params.id), actorId: adminId, accept });
      return accept ? 'Demande acceptée : l’aidant fait désormais partie de la structure et en est informé.' : 'Demande refusée.';
    },
  });
  const decisions: Record<string, Partial<ResourceAction>> = { acceptStructureChange: decide(true), refuseStructureChange: decide(false) };
  return {
    resource: StructureChangeRequest,
    options: {
      navigation,
      listProperties: ['aidantId', 'organisationId', 'requestedById', 'status', 'createdAt'],
      filterProperties: ['status', 'organisationId', 'createdAt'],
      properties: {
        status: {
          availableValues: Object.keys(STRUCTURE_CHANGE_STATUSES).map((value) => ({ value, label: value })),
        },
      },
      actions: {
        list: { isAccessible: canRead }, show: { isAccessible: canRead }, search: { isAccessible: canRead },
        new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
        ...decisions,
      },
    },
  };
}
