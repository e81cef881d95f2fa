// Registers every model on a Sequelize instance and declares the associations pages and AdminJS navigate.
import type { Sequelize } from 'sequelize';
import { Card, CardShipment } from './cards.js';
import { IdpConnection } from './identity-provider.js';
import { AidantOnboarding, AidantRequest, ComiteDecisionRecord, HabilitationRequest, Issuer, IssuerEmailConfirmation, PrivateLink, RequestMessage } from './habilitation.js';
import { Autorisation, Mandat, Usager } from './mandats.js';
import { MandatTranslation } from './mandat-translation.js';
import { Organisation } from './organisation.js';
import { OrganisationMembership, User } from './people.js';
import { Connection, EmailOutbox, JournalEntry, LoginFailure, LoginLink, SetupLink } from './records.js';
import { StructureChangeRequest } from './structure-change.js';
import { TrainingRegistration, TrainingSession } from './training.js';

export {
  AidantOnboarding, AidantRequest, Autorisation, Card, CardShipment, ComiteDecisionRecord, Connection, EmailOutbox,
  HabilitationRequest, Issuer, IssuerEmailConfirmation, JournalEntry, LoginFailure, LoginLink, Mandat, Organisation, OrganisationMembership, PrivateLink, RequestMessage, Usager, User,
};
export { SetupLink, StructureChangeRequest };
export { TrainingRegistration, TrainingSession };
export { IdpConnection };
export { MandatTranslation };

export const ALL_MODELS = [
  Organisation, User, OrganisationMembership, Issuer, HabilitationRequest, IssuerEmailConfirmation, PrivateLink, AidantRequest, RequestMessage, ComiteDecisionRecord,
  AidantOnboarding, Card, CardShipment, Usager, Mandat, Autorisation, JournalEntry, EmailOutbox, Connection, LoginLink, LoginFailure,
  StructureChangeRequest,
  SetupLink,
  TrainingSession, TrainingRegistration,
  IdpConnection,
  MandatTranslation,
] as const;

let initialised: Sequelize | undefined;

export function initModels(sequelize: Sequelize): void {
  // Model classes are process-wide; one Sequelize instance per process owns them.
  if (initialised === sequelize) return;
  initialised = sequelize;
  for (const model of ALL_MODELS) model.initModel(sequelize);

  HabilitationRequest.belongsTo(Issuer, { as: 'issuer', foreignKey: 'issuerId' });
  HabilitationRequest.belongsTo(Organisation, { as: 'organisation', foreignKey: 'organisationId' });
  HabilitationRequest.hasMany(AidantRequest, { as: 'aidants', foreignKey: 'habilitationRequestId' });
  HabilitationRequest.hasMany(RequestMessage, { as: 'messages', foreignKey: 'habilitationRequestId' });
  AidantOnboarding.belongsTo(Organisation, { as: 'organisation', foreignKey: 'organisationId' });
  AidantOnboarding.belongsTo(User, { as: 'user', foreignKey: 'userId' });
  OrganisationMembership.belongsTo(User, { as: 'user', foreignKey: 'userId' });
  OrganisationMembership.belongsTo(Organisation, { as: 'organisation', foreignKey: 'organisationId' });
  Card.belongsTo(User, { as: 'aidant', foreignKey: 'aidantId' });
  CardShipment.belongsTo(AidantOnboarding, { as: 'onboarding', foreignKey: 'onboardingId' });
  Mandat.belongsTo(Organisation, { as: 'organisation', foreignKey: 'organisationId' });
  Mandat.belongsTo(Usager, { as: 'usager', foreignKey: 'usagerId' });
  Mandat.hasMany(Autorisation, { as: 'autorisations', foreignKey: 'mandatId' });
  StructureChangeRequest.belongsTo(User, { as: 'aidant', foreignKey: 'aidantId' });
}
