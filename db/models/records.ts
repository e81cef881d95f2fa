// Append-only and transient records: the journal, the e-mail outbox, OIDC connections, login and setup links.
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { JOURNAL_ACTION_KEYS, type JournalAction } from '../../domain/journal.js';
import { bool, createdAt, date, enumText, ref, text, uuidPk } from './helpers.js';

export class JournalEntry extends Model<InferAttributes<JournalEntry>, InferCreationAttributes<JournalEntry>> {
  declare id: CreationOptional<string>;
  declare createdAt: CreationOptional<Date>;
  declare action: JournalAction;
  declare actorId: string | null;
  declare organisationId: string | null;
  declare usagerId: string | null;
  declare mandatId: string | null;
  declare autorisationId: string | null;
  declare habilitationRequestId: string | null;
  declare onboardingId: string | null;
  declare demarches: string[] | null;
  declare durationDays: number | null;
  declare details: CreationOptional<Record<string, unknown>>;
  declare idempotencyKey: string | null;

  static initModel(sequelize: Sequelize): void {
    JournalEntry.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        createdAt: createdAt(),
        action: enumText(JOURNAL_ACTION_KEYS),
        actorId: ref('users'), organisationId: ref('organisations'), usagerId: ref('usagers'), mandatId: ref('mandats'),
        autorisationId: ref('autorisations'), habilitationRequestId: ref('habilitation_requests'), onboardingId: ref('aidant_onboardings'),
        demarches: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: true },
        durationDays: { type: DataTypes.INTEGER, allowNull: true },
        details: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        idempotencyKey: text(),
      },
      { sequelize, tableName: 'journal' },
    );
  }
}

export class EmailOutbox extends Model<InferAttributes<EmailOutbox>, InferCreationAttributes<EmailOutbox>> {
  declare id: CreationOptional<string>;
  declare idempotencyKey: string;
  declare template: string;
  declare recipients: string[];
  declare subject: string;
  declare html: string;
  declare textBody: string;
  declare status: CreationOptional<'pending' | 'sending' | 'sent' | 'failed'>;
  declare attempts: CreationOptional<number>;
  declare messageId: string | null;
  declare lastError: string | null;
  declare sentAt: Date | null;
  /** Set when the housekeeping reported this e-mail as stuck (once). */
  declare stuckReportedAt: CreationOptional<Date | null>;
  /** While `sending`: until when the attempt that claimed the row owns it (a crashed attempt's claim expires). */
  declare claimedUntil: CreationOptional<Date | null>;
  /** When the e-mail was found impossible to send (`failed`); lastError says why. */
  declare failedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    EmailOutbox.init(
      {
        id: uuidPk(), idempotencyKey: text(false), template: text(false),
        recipients: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false }, subject: text(false), html: text(false),
        textBody: text(false), status: { ...enumText(['pending', 'sending', 'sent', 'failed']), defaultValue: 'pending' },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 }, messageId: text(), lastError: text(),
        sentAt: date(), stuckReportedAt: date(), claimedUntil: date(), failedAt: date(), createdAt: createdAt(),
      },
      { sequelize, tableName: 'email_outbox' },
    );
  }
}

export class Connection extends Model<InferAttributes<Connection>, InferCreationAttributes<Connection>> {
  declare id: CreationOptional<string>;
  declare kind: 'idp' | 'franceconnect_client' | 'mandat_draft' | 'renewal';
  declare state: string | null;
  declare nonce: string | null;
  declare aidantId: string | null;
  declare organisationId: string | null;
  declare usagerId: string | null;
  declare demarches: string[] | null;
  declare duration: string | null;
  declare demarche: string | null;
  declare autorisationId: string | null;
  declare requestedScope: string[] | null;
  declare codeHash: string | null;
  declare codeUsedAt: Date | null;
  declare accessTokenHash: string | null;
  declare expiresAt: Date;
  declare complete: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  // The usager's FranceConnect identification (migration 0018).
  declare returnTo: CreationOptional<string | null>;
  declare sessionHash: CreationOptional<string | null>;
  declare stateUsedAt: CreationOptional<Date | null>;
  declare identifiedAt: CreationOptional<Date | null>;
  declare logoutState: CreationOptional<string | null>;
  /** When a mandat was created from this identification (migration 0021): it serves once. */
  declare usedAt: CreationOptional<Date | null>;
  /** A renewal (migration 0026): the mandat it renews. */
  declare renewedFromId: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    Connection.init(
      {
        id: uuidPk(), kind: enumText(['idp', 'franceconnect_client', 'mandat_draft', 'renewal']), state: text(), nonce: text(),
        aidantId: ref('users'), organisationId: ref('organisations'), usagerId: ref('usagers'),
        demarches: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: true }, duration: text(), demarche: text(),
        autorisationId: ref('autorisations'), requestedScope: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: true },
        codeHash: text(), codeUsedAt: date(), accessTokenHash: text(), expiresAt: date(false), complete: bool(),
        createdAt: createdAt(), returnTo: text(), sessionHash: text(), stateUsedAt: date(), identifiedAt: date(), logoutState: text(), usedAt: date(), renewedFromId: ref('mandats'),
      },
      { sequelize, tableName: 'connections' },
    );
  }
}

export class LoginLink extends Model<InferAttributes<LoginLink>, InferCreationAttributes<LoginLink>> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare tokenHash: string;
  declare nextUrl: string | null;
  declare expiresAt: Date;
  declare usedAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    LoginLink.init(
      { id: uuidPk(), userId: ref('users', false), tokenHash: text(false), nextUrl: text(), expiresAt: date(false), usedAt: date(), createdAt: createdAt() },
      { sequelize, tableName: 'login_links' },
    );
  }
}

/** A référent's first-login link (services/setup-links.ts): a table apart from login_links, so neither is taken for the other. */
export class SetupLink extends Model<InferAttributes<SetupLink>, InferCreationAttributes<SetupLink>> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare usedAt: Date | null;
  declare revokedAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SetupLink.init(
      { id: uuidPk(), userId: ref('users', false), tokenHash: text(false), expiresAt: date(false), usedAt: date(), revokedAt: date(), createdAt: createdAt() },
      { sequelize, tableName: 'setup_links' },
    );
  }
}

/** One failed login attempt; counted per key (the e-mail typed) over a sliding window by services/login-guard.ts. */
export class LoginFailure extends Model<InferAttributes<LoginFailure>, InferCreationAttributes<LoginFailure>> {
  declare id: CreationOptional<string>;
  declare key: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    LoginFailure.init(
      { id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true }, key: text(false), createdAt: createdAt() },
      { sequelize, tableName: 'login_failures' },
    );
  }
}
