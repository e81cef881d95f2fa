import { Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { STRUCTURE_CHANGE_STATUS_KEYS, type StructureChangeStatus } from '../../domain/structure-members.js';
import { createdAt, date, enumText, ref, uuidPk } from './helpers.js';

/**
 * A référent asks for an aidant already habilitated in another structure (which the référent does not manage)
 * to join theirs; the ANCT accepts (the aidant becomes a member) or refuses in the back-office.
 */
export class StructureChangeRequest extends Model<InferAttributes<StructureChangeRequest>, InferCreationAttributes<StructureChangeRequest>> {
  declare id: CreationOptional<string>;
  declare aidantId: string;
  /** The structure the aidant would join. */
  declare organisationId: string;
  declare requestedById: string;
  declare status: CreationOptional<StructureChangeStatus>;
  declare decidedById: CreationOptional<string | null>;
  declare decidedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    StructureChangeRequest.init(
      {
        id: uuidPk(), aidantId: ref('users', false), organisationId: ref('organisations', false), requestedById: ref('users', false),
        status: { ...enumText(STRUCTURE_CHANGE_STATUS_KEYS), defaultValue: 'pending' }, decidedById: ref('users'), decidedAt: date(),
        createdAt: createdAt(), updatedAt: createdAt(),
      },
      { sequelize, tableName: 'structure_change_requests', timestamps: true },
    );
  }
}
