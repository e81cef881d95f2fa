// Training sessions published by the ANCT and the registrations of aidants to train (migrations/0016).
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { TRAINING_MODE_KEYS, type TrainingMode } from '../../domain/training.js';
import { bool, createdAt, date, enumText, ref, text, uuidPk } from './helpers.js';

export class TrainingSession extends Model<InferAttributes<TrainingSession>, InferCreationAttributes<TrainingSession>> {
  declare id: CreationOptional<string>;
  declare startsAt: Date;
  declare endsAt: Date;
  declare mode: TrainingMode;
  /** The address of the place, or the link and instructions of an online session. */
  declare location: string;
  declare capacity: number;
  /** Closed: no new registration (those made stay). */
  declare isOpen: CreationOptional<boolean>;
  declare createdById: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    TrainingSession.init(
      {
        id: uuidPk(), startsAt: date(false), endsAt: date(false), mode: enumText(TRAINING_MODE_KEYS), location: text(false),
        capacity: { type: DataTypes.INTEGER, allowNull: false }, isOpen: bool(true), createdById: ref('users', false),
        createdAt: createdAt(), updatedAt: createdAt(),
      },
      { sequelize, tableName: 'training_sessions', timestamps: true },
    );
  }
}

export class TrainingRegistration extends Model<InferAttributes<TrainingRegistration>, InferCreationAttributes<TrainingRegistration>> {
  declare id: CreationOptional<string>;
  declare sessionId: string;
  declare onboardingId: string;
  declare registeredById: string;
  declare createdAt: CreationOptional<Date>;
  declare cancelledAt: CreationOptional<Date | null>;
  declare cancelledById: CreationOptional<string | null>;
  declare attendanceRecordedAt: CreationOptional<Date | null>;
  declare attendanceRecordedById: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    TrainingRegistration.init(
      {
        id: uuidPk(), sessionId: ref('training_sessions', false), onboardingId: ref('aidant_onboardings', false), registeredById: ref('users', false),
        createdAt: createdAt(), cancelledAt: date(), cancelledById: ref('users'), attendanceRecordedAt: date(), attendanceRecordedById: ref('users'),
      },
      { sequelize, tableName: 'training_registrations' },
    );
  }
}
