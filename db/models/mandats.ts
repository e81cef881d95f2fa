import { Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { DEMARCHE_KEYS, type Demarche } from '../../domain/demarches.js';
import { MANDAT_DURATION_KEYS, MANDAT_STATUSES, MANDAT_TEXT_VERSION, type MandatDuration, type MandatStatus } from '../../domain/mandat.js';
import { createdAt, date, enumText, ref, text, uuidPk } from './helpers.js';

export class Usager extends Model<InferAttributes<Usager>, InferCreationAttributes<Usager>> {
  declare id: CreationOptional<string>;
  declare sub: string;
  declare givenName: string;
  declare familyName: string;
  declare preferredUsername: string | null;
  declare gender: 'female' | 'male' | 'unspecified';
  declare birthdate: string;
  declare birthplace: string | null;
  declare birthcountry: CreationOptional<string>;
  declare email: string | null;
  declare phone: string | null;
  declare anonymisedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Usager.init(
      {
        id: uuidPk(), sub: text(false), givenName: text(false), familyName: text(false), preferredUsername: text(),
        gender: enumText(['female', 'male', 'unspecified']), birthdate: text(false), birthplace: text(),
        birthcountry: { ...text(false), defaultValue: '99100' }, email: text(), phone: text(), anonymisedAt: date(),
        createdAt: createdAt(), updatedAt: createdAt(),
      },
      { sequelize, tableName: 'usagers', timestamps: true },
    );
  }
}

export class Mandat extends Model<InferAttributes<Mandat>, InferCreationAttributes<Mandat>> {
  declare id: CreationOptional<string>;
  declare organisationId: string;
  declare usagerId: string;
  declare createdById: string;
  declare duration: MandatDuration;
  declare status: CreationOptional<MandatStatus>;
  declare createdAt: CreationOptional<Date>;
  declare expiresAt: Date;
  declare revokedAt: Date | null;
  declare renewedFromId: string | null;
  declare templateHash: string;
  declare attestationHash: string;
  /** The version of the legal text signed (domain/mandat.ts MANDAT_TEXT_VERSION when created). */
  declare textVersion: CreationOptional<string>;
  /** When its workflow was known started (migration 0021); null: the sweep starts it (services/mandat-creation.ts). */
  declare workflowStartedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    Mandat.init(
      {
        id: uuidPk(), organisationId: ref('organisations', false), usagerId: ref('usagers', false), createdById: ref('users', false),
        duration: enumText(MANDAT_DURATION_KEYS), status: { ...enumText(MANDAT_STATUSES), defaultValue: 'active' },
        createdAt: createdAt(), expiresAt: date(false), revokedAt: date(), renewedFromId: ref('mandats'),
        templateHash: text(false), attestationHash: text(false), textVersion: { ...text(false), defaultValue: MANDAT_TEXT_VERSION },
        workflowStartedAt: date(),
      },
      { sequelize, tableName: 'mandats' },
    );
  }
}

export class Autorisation extends Model<InferAttributes<Autorisation>, InferCreationAttributes<Autorisation>> {
  declare id: CreationOptional<string>;
  declare mandatId: string;
  declare demarche: Demarche;
  declare revokedAt: Date | null;
  declare revokedById: string | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Autorisation.init(
      {
        id: uuidPk(), mandatId: ref('mandats', false), demarche: enumText(DEMARCHE_KEYS), revokedAt: date(),
        revokedById: ref('users'), createdAt: createdAt(),
      },
      { sequelize, tableName: 'autorisations' },
    );
  }
}
