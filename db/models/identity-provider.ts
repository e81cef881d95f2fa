// Aidants Connect as FranceConnect's identity provider: one authorize request and what followed (migration
// 0024). Written and read by services/identity-provider.ts; never an AdminJS resource (hashes, state, nonce).
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { DEMARCHE_KEYS, type Demarche } from '../../domain/demarches.js';
import { createdAt, date, enumText, ref, text, uuidPk } from './helpers.js';

export class IdpConnection extends Model<InferAttributes<IdpConnection>, InferCreationAttributes<IdpConnection>> {
  declare id: CreationOptional<string>;
  declare clientId: string;
  declare redirectUri: string;
  declare fcVersion: 1 | 2;
  declare state: string;
  declare nonce: string;
  declare acr: string;
  /** The démarches FranceConnect asked for (claims.id_token.rep_scope.values); null when not asked. */
  declare repScope: Demarche[] | null;
  declare expiresAt: Date;
  declare aidantId: CreationOptional<string | null>;
  declare organisationId: CreationOptional<string | null>;
  /** Keyed hash of the aidant's session id: the interaction continues in that browser only. */
  declare sessionHash: CreationOptional<string | null>;
  declare usagerId: CreationOptional<string | null>;
  declare demarche: CreationOptional<Demarche | null>;
  declare autorisationId: CreationOptional<string | null>;
  declare codeHash: CreationOptional<string | null>;
  declare codeExpiresAt: CreationOptional<Date | null>;
  declare codeUsedAt: CreationOptional<Date | null>;
  declare accessTokenHash: CreationOptional<string | null>;
  declare accessTokenExpiresAt: CreationOptional<Date | null>;
  declare accessTokenRevokedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    IdpConnection.init(
      {
        id: uuidPk(), clientId: text(false), redirectUri: text(false), fcVersion: { type: DataTypes.SMALLINT, allowNull: false },
        state: text(false), nonce: text(false), acr: text(false), repScope: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: true },
        expiresAt: date(false), aidantId: ref('users'), organisationId: ref('organisations'), sessionHash: text(), usagerId: ref('usagers'),
        demarche: enumText(DEMARCHE_KEYS, true), autorisationId: ref('autorisations'),
        codeHash: text(), codeExpiresAt: date(), codeUsedAt: date(),
        accessTokenHash: text(), accessTokenExpiresAt: date(), accessTokenRevokedAt: date(), createdAt: createdAt(),
      },
      { sequelize, tableName: 'idp_connections' },
    );
  }
}
