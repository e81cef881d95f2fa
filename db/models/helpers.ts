// Shared column shapes for the models. The schema itself (checks, triggers, indexes) lives in migrations/.
import { DataTypes, type ModelAttributeColumnOptions } from 'sequelize';

export const uuidPk = (): ModelAttributeColumnOptions => ({
  type: DataTypes.UUID,
  primaryKey: true,
  defaultValue: DataTypes.UUIDV4,
});

export const ref = (table: string, allowNull = true): ModelAttributeColumnOptions => ({
  type: DataTypes.UUID,
  allowNull,
  references: { model: table, key: 'id' },
});

/** A text column restricted to known values (the database CHECK is the final guard; AdminJS gets the list too). */
export const enumText = (values: readonly string[], allowNull = false): ModelAttributeColumnOptions => ({
  type: DataTypes.TEXT,
  allowNull,
  validate: { isIn: { args: [values as string[]], msg: `Valeur non autorisée (attendu : ${values.join(', ')})` } },
});

export const text = (allowNull = true): ModelAttributeColumnOptions => ({ type: DataTypes.TEXT, allowNull });
export const bool = (defaultValue = false): ModelAttributeColumnOptions => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue });
export const date = (allowNull = true): ModelAttributeColumnOptions => ({ type: DataTypes.DATE, allowNull });
export const createdAt = (): ModelAttributeColumnOptions => ({ type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW });
