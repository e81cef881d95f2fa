import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { STAFF_ROLE_KEYS, type StaffRole } from '../../domain/roles.js';
import { bool, createdAt, date, ref, text, uuidPk } from './helpers.js';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<string>;
  declare email: string;
  declare firstName: string;
  declare lastName: string;
  declare profession: string | null;
  declare phone: string | null;
  declare isActive: CreationOptional<boolean>;
  declare currentOrganisationId: string | null;
  declare staffRoles: CreationOptional<StaffRole[]>;
  declare passwordHash: string | null;
  /** The back-office authenticator secret (base32), sealed with services/secret-box.ts. */
  declare sealedAdminTotpSecret: string | null;
  /** The time step of the last TOTP code accepted at the back-office login: a code is accepted once. */
  declare adminTotpLastStep: CreationOptional<number | null>;
  declare lastLoginAt: Date | null;
  declare lastActivityAt: Date | null;
  /** The CGU version this person accepted last (domain/espace.ts CGU_VERSION is the current one). */
  declare acceptedCguVersion: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    User.init(
      {
        id: uuidPk(),
        email: text(false),
        firstName: text(false),
        lastName: text(false),
        profession: text(),
        phone: text(),
        isActive: bool(true),
        currentOrganisationId: ref('organisations'),
        staffRoles: {
          type: DataTypes.ARRAY(DataTypes.TEXT),
          allowNull: false,
          defaultValue: [],
          validate: { known: (roles: string[]) => roles.forEach((r) => { if (!(STAFF_ROLE_KEYS as string[]).includes(r)) throw new Error(`Rôle inconnu : ${r}`); }) },
        },
        passwordHash: text(),
        sealedAdminTotpSecret: text(),
        adminTotpLastStep: { type: DataTypes.INTEGER, allowNull: true },
        lastLoginAt: date(),
        lastActivityAt: date(),
        acceptedCguVersion: text(),
        createdAt: createdAt(),
        updatedAt: createdAt(),
      },
      { sequelize, tableName: 'users', timestamps: true },
    );
  }
}

export class OrganisationMembership extends Model<InferAttributes<OrganisationMembership>, InferCreationAttributes<OrganisationMembership>> {
  declare userId: string;
  declare organisationId: string;
  declare isReferent: CreationOptional<boolean>;
  declare canCreateMandats: CreationOptional<boolean>;
  declare isActive: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    OrganisationMembership.init(
      {
        userId: { ...ref('users', false), primaryKey: true },
        organisationId: { ...ref('organisations', false), primaryKey: true },
        isReferent: bool(false),
        canCreateMandats: bool(true),
        isActive: bool(true),
        createdAt: createdAt(),
      },
      { sequelize, tableName: 'organisation_memberships' },
    );
  }
}
