// The translations of the mandat's legal text maintained by the ANCT (migrations/0022).
import { Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { TextDirection } from '../../domain/mandat-translation.js';
import { bool, createdAt, enumText, ref, text, uuidPk } from './helpers.js';

export class MandatTranslation extends Model<InferAttributes<MandatTranslation>, InferCreationAttributes<MandatTranslation>> {
  declare id: CreationOptional<string>;
  /** BCP 47 (« en », « ar », « fa-AF »): the page's `lang` attribute. */
  declare languageCode: string;
  declare nameFr: string;
  declare nameNative: string;
  declare direction: TextDirection;
  /** Plain text; blank lines separate the paragraphs. */
  declare body: string;
  /** The version of the French text (MANDAT_TEXT_VERSION) it translates. */
  declare textVersion: string;
  declare isPublished: CreationOptional<boolean>;
  declare createdById: CreationOptional<string | null>;
  declare updatedById: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    MandatTranslation.init(
      {
        id: uuidPk(), languageCode: text(false), nameFr: text(false), nameNative: text(false), direction: enumText(['ltr', 'rtl']),
        body: text(false), textVersion: text(false), isPublished: bool(false), createdById: ref('users'), updatedById: ref('users'),
        createdAt: createdAt(), updatedAt: createdAt(),
      },
      { sequelize, tableName: 'mandat_translations', timestamps: true },
    );
  }
}
