import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import {
  ONBOARDING_STATUS_KEYS, REQUEST_STATUS_KEYS, STRUCTURE_TYPE_KEYS,
  type ComiteDecision as Decision, type OnboardingStatus, type RequestStatus, type StructureType,
} from '../../domain/habilitation.js';
import { bool, createdAt, date, enumText, ref, text, uuidPk } from './helpers.js';

export class Issuer extends Model<InferAttributes<Issuer>, InferCreationAttributes<Issuer>> {
  declare id: CreationOptional<string>;
  declare email: string;
  declare firstName: string;
  declare lastName: string;
  declare profession: string;
  declare phone: string | null;
  declare emailVerifiedAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Issuer.init(
      {
        id: uuidPk(), email: text(false), firstName: text(false), lastName: text(false), profession: text(false),
        phone: text(), emailVerifiedAt: date(), createdAt: createdAt(),
      },
      { sequelize, tableName: 'issuers' },
    );
  }
}

export class IssuerEmailConfirmation extends Model<InferAttributes<IssuerEmailConfirmation>, InferCreationAttributes<IssuerEmailConfirmation>> {
  declare id: CreationOptional<string>;
  declare issuerId: string;
  declare keyHash: string;
  declare expiresAt: Date;
  declare confirmedAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    IssuerEmailConfirmation.init(
      {
        id: uuidPk(), issuerId: ref('issuers', false), keyHash: text(false), expiresAt: date(false), confirmedAt: date(), createdAt: createdAt(),
      },
      { sequelize, tableName: 'issuer_email_confirmations' },
    );
  }
}

/** A demandeur's private link: the token itself is never stored, only its keyed hash (services/private-links.ts). */
export class PrivateLink extends Model<InferAttributes<PrivateLink>, InferCreationAttributes<PrivateLink>> {
  declare id: CreationOptional<string>;
  declare issuerId: string;
  /** The request the link opens, if any (the demandeur's space otherwise). */
  declare habilitationRequestId: string | null;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare revokedAt: Date | null;
  declare lastUsedAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    PrivateLink.init(
      {
        id: uuidPk(), issuerId: ref('issuers', false), habilitationRequestId: ref('habilitation_requests'), tokenHash: text(false),
        expiresAt: date(false), revokedAt: date(), lastUsedAt: date(), createdAt: createdAt(),
      },
      { sequelize, tableName: 'private_links' },
    );
  }
}

export class HabilitationRequest extends Model<InferAttributes<HabilitationRequest>, InferCreationAttributes<HabilitationRequest>> {
  declare id: CreationOptional<string>;
  declare issuerId: string;
  declare status: CreationOptional<RequestStatus>;
  declare name: string;
  declare type: StructureType;
  declare typeOther: string | null;
  declare siret: string;
  declare address: string | null;
  declare zipcode: string | null;
  declare city: string | null;
  declare departmentCode: string | null;
  declare franceServicesLabel: CreationOptional<boolean>;
  declare franceServicesNumber: string | null;
  declare webSite: string | null;
  declare missionDescription: string | null;
  declare referentFirstName: string | null;
  declare referentLastName: string | null;
  declare referentEmail: string | null;
  declare referentPhone: string | null;
  declare referentProfession: string | null;
  declare referentIsAidant: CreationOptional<boolean>;
  declare pledgeCgu: CreationOptional<boolean>;
  declare pledgeNotFree: CreationOptional<boolean>;
  declare pledgeDpo: CreationOptional<boolean>;
  declare pledgeProfessionalsOnly: CreationOptional<boolean>;
  declare pledgeWithoutElected: CreationOptional<boolean>;
  declare organisationId: string | null;
  declare habilitationNumber: string | null;
  declare submittedAt: Date | null;
  declare decidedAt: Date | null;
  /** Set when the demandeur resubmits after « changes required », cleared once the workflow takes it to the comité. */
  declare resubmittedAt: CreationOptional<Date | null>;
  declare closedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    HabilitationRequest.init(
      {
        id: uuidPk(),
        issuerId: ref('issuers', false),
        status: { ...enumText(REQUEST_STATUS_KEYS), defaultValue: 'draft' },
        name: text(false),
        type: enumText(STRUCTURE_TYPE_KEYS),
        typeOther: text(),
        siret: text(false),
        address: text(), zipcode: text(), city: text(), departmentCode: text(),
        franceServicesLabel: bool(), franceServicesNumber: text(), webSite: text(), missionDescription: text(),
        referentFirstName: text(), referentLastName: text(), referentEmail: text(), referentPhone: text(),
        referentProfession: text(), referentIsAidant: bool(),
        pledgeCgu: bool(), pledgeNotFree: bool(), pledgeDpo: bool(), pledgeProfessionalsOnly: bool(), pledgeWithoutElected: bool(),
        organisationId: ref('organisations'),
        habilitationNumber: text(),
        submittedAt: date(), decidedAt: date(),
        resubmittedAt: date(), closedAt: date(),
        createdAt: createdAt(), updatedAt: createdAt(),
      },
      { sequelize, tableName: 'habilitation_requests', timestamps: true },
    );
  }
}

export class AidantRequest extends Model<InferAttributes<AidantRequest>, InferCreationAttributes<AidantRequest>> {
  declare id: CreationOptional<string>;
  declare habilitationRequestId: string;
  declare firstName: string;
  declare lastName: string;
  declare email: string;
  declare profession: string;
  declare conseillerNumerique: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    AidantRequest.init(
      {
        id: uuidPk(), habilitationRequestId: ref('habilitation_requests', false), firstName: text(false), lastName: text(false),
        email: text(false), profession: text(false), conseillerNumerique: bool(), createdAt: createdAt(),
      },
      { sequelize, tableName: 'aidant_requests' },
    );
  }
}

export class RequestMessage extends Model<InferAttributes<RequestMessage>, InferCreationAttributes<RequestMessage>> {
  declare id: CreationOptional<string>;
  declare habilitationRequestId: string;
  declare sender: 'anct' | 'demandeur';
  declare authorId: string | null;
  declare content: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    RequestMessage.init(
      {
        id: uuidPk(), habilitationRequestId: ref('habilitation_requests', false), sender: enumText(['anct', 'demandeur']),
        authorId: ref('users'), content: text(false), createdAt: createdAt(),
      },
      { sequelize, tableName: 'request_messages' },
    );
  }
}

export class ComiteDecisionRecord extends Model<InferAttributes<ComiteDecisionRecord>, InferCreationAttributes<ComiteDecisionRecord>> {
  declare id: string;
  declare habilitationRequestId: string;
  declare decision: Decision;
  declare motif: string;
  declare juryMemberId: string;
  declare decidedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ComiteDecisionRecord.init(
      {
        id: { ...text(false), primaryKey: true }, habilitationRequestId: ref('habilitation_requests', false),
        decision: enumText(['validate', 'refuse', 'require_changes']), motif: text(false), juryMemberId: ref('users', false),
        decidedAt: createdAt(),
      },
      { sequelize, tableName: 'comite_decisions' },
    );
  }
}

export class AidantOnboarding extends Model<InferAttributes<AidantOnboarding>, InferCreationAttributes<AidantOnboarding>> {
  declare id: CreationOptional<string>;
  declare organisationId: string;
  declare habilitationRequestId: string | null;
  declare aidantRequestId: string | null;
  declare userId: string | null;
  declare email: string;
  declare firstName: string;
  declare lastName: string;
  declare profession: string | null;
  declare status: CreationOptional<OnboardingStatus>;
  declare trainingDeadline: Date;
  declare trainingDate: string | null;
  declare lapsedAt: Date | null;
  declare cancelledAt: Date | null;
  declare cancelReason: string | null;
  declare completedAt: Date | null;
  /** The référent who asked for this aidant to be trained (espace référent); null when from a habilitation request. */
  declare requestedById: CreationOptional<string | null>;
  declare conseillerNumerique: CreationOptional<boolean>;
  /** When the ANCT decided on the eligibility of an aidant asked by a référent, and why it refused. */
  declare eligibilityDecidedAt: CreationOptional<Date | null>;
  declare eligibilityRefusalReason: CreationOptional<string | null>;
  /** When the lifecycle of an aidant asked by a référent was started (null: to start, or to start again). */
  declare lifecycleStartedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    AidantOnboarding.init(
      {
        id: uuidPk(), organisationId: ref('organisations', false), habilitationRequestId: ref('habilitation_requests'),
        aidantRequestId: ref('aidant_requests'), userId: ref('users'), email: text(false), firstName: text(false),
        lastName: text(false), profession: text(),
        status: { ...enumText(ONBOARDING_STATUS_KEYS), defaultValue: 'awaiting_training' },
        trainingDeadline: date(false), trainingDate: { type: DataTypes.DATEONLY, allowNull: true },
        lapsedAt: date(), cancelledAt: date(), cancelReason: text(), completedAt: date(),
        requestedById: ref('users'), conseillerNumerique: bool(), eligibilityDecidedAt: date(), eligibilityRefusalReason: text(), lifecycleStartedAt: date(),
        createdAt: createdAt(), updatedAt: createdAt(),
      },
      { sequelize, tableName: 'aidant_onboardings', timestamps: true },
    );
  }
}
