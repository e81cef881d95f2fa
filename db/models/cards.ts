import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { CardStatus } from '../../domain/cards.js';
import { SHIPMENT_STATUS_KEYS, type ShipmentStatus } from '../../domain/habilitation.js';
import { bool, createdAt, date, enumText, ref, text, uuidPk } from './helpers.js';

export class Card extends Model<InferAttributes<Card>, InferCreationAttributes<Card>> {
  declare id: CreationOptional<string>;
  declare kind: CreationOptional<'physical' | 'digital'>;
  declare serialNumber: string | null;
  /** The TOTP seed (hex), sealed with services/secret-box.ts. */
  declare sealedSeed: string;
  declare periodSeconds: CreationOptional<number>;
  declare aidantId: string | null;
  declare linkedAt: Date | null;
  declare validatedAt: Date | null;
  declare isFunctional: CreationOptional<boolean>;
  declare lastUsedStep: number | null;
  /** Time steps accepted either side of now (domain/cards.ts CARD_POLICY). */
  declare tolerance: CreationOptional<number>;
  /** Failed codes since the last success: three widen a physical card's tolerance. */
  declare failedCodes: CreationOptional<number>;
  /** When and why the card last went back to the stock (cleared when it is linked again). */
  declare unlinkedAt: CreationOptional<Date | null>;
  declare unlinkReason: CreationOptional<string | null>;
  /** Who validated it (a référent, the ANCT, the person themself for their application). */
  declare validatedById: CreationOptional<string | null>;
  /** Computed by PostgreSQL from the columns above (never written). */
  declare status: CreationOptional<CardStatus>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Card.init(
      {
        id: uuidPk(), kind: { ...enumText(['physical', 'digital']), defaultValue: 'physical' }, serialNumber: text(),
        sealedSeed: text(false), periodSeconds: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 60 },
        aidantId: ref('users'), linkedAt: date(), validatedAt: date(), isFunctional: bool(true),
        lastUsedStep: { type: DataTypes.BIGINT, allowNull: true },
        tolerance: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 10 }, failedCodes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        unlinkedAt: date(), unlinkReason: text(), validatedById: ref('users'),
        status: { type: DataTypes.TEXT, allowNull: true },
        createdAt: createdAt(),
      },
      { sequelize, tableName: 'cards' },
    );
  }
}

export class CardShipment extends Model<InferAttributes<CardShipment>, InferCreationAttributes<CardShipment>> {
  declare id: CreationOptional<string>;
  declare onboardingId: string;
  declare organisationId: string;
  declare cardId: string | null;
  declare status: CreationOptional<ShipmentStatus>;
  declare trackingNumber: string | null;
  declare sentAt: Date | null;
  declare deliveredAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CardShipment.init(
      {
        id: uuidPk(), onboardingId: ref('aidant_onboardings', false), organisationId: ref('organisations', false),
        cardId: ref('cards'), status: { ...enumText(SHIPMENT_STATUS_KEYS), defaultValue: 'preparing' },
        trackingNumber: text(), sentAt: date(), deliveredAt: date(), createdAt: createdAt(), updatedAt: createdAt(),
      },
      { sequelize, tableName: 'card_shipments', timestamps: true },
    );
  }
}
