import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { DEMARCHE_KEYS, type Demarche } from '../../domain/demarches.js';
import { STRUCTURE_TYPE_KEYS, type StructureType } from '../../domain/habilitation.js';
import { bool, createdAt, enumText, text, uuidPk } from './helpers.js';

export class Organisation extends Model<InferAttributes<Organisation>, InferCreationAttributes<Organisation>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare type: StructureType;
  declare typeOther: string | null;
  declare siret: string;
  declare address: string;
  declare zipcode: string;
  declare city: string;
  declare departmentCode: string;
  declare franceServicesLabel: CreationOptional<boolean>;
  declare franceServicesNumber: string | null;
  declare habilitationNumber: string | null;
  declare allowedDemarches: CreationOptional<Demarche[]>;
  declare isActive: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Organisation.init(
      {
        id: uuidPk(),
        name: text(false),
        type: enumText(STRUCTURE_TYPE_KEYS),
        typeOther: text(),
        siret: text(false),
        address: text(false),
        zipcode: text(false),
        city: text(false),
        departmentCode: text(false),
        franceServicesLabel: bool(),
        franceServicesNumber: text(),
        habilitationNumber: text(),
        allowedDemarches: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: DEMARCHE_KEYS },
        isActive: bool(true),
        createdAt: createdAt(),
        updatedAt: createdAt(),
      },
      { sequelize, tableName: 'organisations', timestamps: true },
    );
  }
}
