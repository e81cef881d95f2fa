// The ordered list of migrations. Listed explicitly (not globbed) so that tsx, jest and a compiled build
// all load them the same way.
import * as domain from './0001-domain.js';
import * as requestSteps from './0002-request-steps.js';
import * as loginGuard from './0003-login-guard.js';
import * as housekeeping from './0004-housekeeping.js';
import * as sealedSecrets from './0005-sealed-secrets.js';
import * as privateLinks from './0006-private-links.js';
import * as requestLifecycle from './0008-request-lifecycle.js';
import * as ops from './0010-ops.js';
import * as outboxClaims from './0011-outbox-claims.js';
import * as cardCodes from './0012-card-codes.js';
import * as cardStock from './0014-card-stock.js';
import * as referent from './0015-referent.js';
import * as trainingSessions from './0016-training-sessions.js';
import * as setupLinks from './0017-setup-links.js';
import * as franceconnectClient from './0018-franceconnect-client.js';
import * as mandats from './0019-mandats.js';
import * as mandatReminders from './0020-mandat-reminders.js';
import * as mandatCreation from './0021-mandat-creation.js';
import * as mandatTranslations from './0022-mandat-translations.js';
import * as identityProvider from './0024-identity-provider.js';
import * as journalBackOffice from './0025-journal-back-office.js';
import * as mandatRenewal from './0026-mandat-renewal.js';
import * as usagerNotifications from './0027-usager-notifications.js';
import * as retention from './0028-retention.js';
import * as inactivity from './0029-inactivity.js';
import * as anctView from './0030-anct-view.js';
import * as exportsIndexes from './0031-exports.js';
import * as ephemeralTables from './0032-ephemeral-tables.js';
import * as journalSeals from './0033-journal-seals.js';

export const MIGRATIONS = [
  { name: '0001-domain', ...domain },
  { name: '0002-request-steps', ...requestSteps },
  { name: '0003-login-guard', ...loginGuard },
  { name: '0004-housekeeping', ...housekeeping },
  { name: '0005-sealed-secrets', ...sealedSecrets },
  { name: '0006-private-links', ...privateLinks },
  { name: '0008-request-lifecycle', ...requestLifecycle },
  { name: '0010-ops', ...ops },
  { name: '0011-outbox-claims', ...outboxClaims },
  { name: '0012-card-codes', ...cardCodes },
  { name: '0014-card-stock', ...cardStock },
  { name: '0015-referent', ...referent },
  { name: '0016-training-sessions', ...trainingSessions },
  { name: '0017-setup-links', ...setupLinks },
  { name: '0018-franceconnect-client', ...franceconnectClient },
  { name: '0019-mandats', ...mandats },
  { name: '0020-mandat-reminders', ...mandatReminders },
  { name: '0021-mandat-creation', ...mandatCreation },
  { name: '0022-mandat-translations', ...mandatTranslations },
  { name: '0024-identity-provider', ...identityProvider },
  { name: '0025-journal-back-office', ...journalBackOffice },
  { name: '0026-mandat-renewal', ...mandatRenewal },
  { name: '0027-usager-notifications', ...usagerNotifications },
  { name: '0028-retention', ...retention },
  { name: '0029-inactivity', ...inactivity },
  { name: '0030-anct-view', ...anctView },
  { name: '0031-exports', ...exportsIndexes },
  { name: '0032-ephemeral-tables', ...ephemeralTables },
  { name: '0033-journal-seals', ...journalSeals },
];
