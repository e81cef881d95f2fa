// What never leaves the server through the back-office: AdminJS serialises every param of a record (list,
// show, search, bulk, the populated references of other resources), whatever `isVisible` says, so these
// columns are removed from the data source itself (admin/guarded-resource.ts), for every role.

/** Tables that hold only secrets or internal state: never an AdminJS resource. */
export const HIDDEN_TABLES: readonly string[] = [
  'private_links', // the demandeur's links (token hashes)
  'issuer_email_confirmations', // e-mail confirmation key hashes
  'login_links', // login link token hashes
  'setup_links', // référents' first-login link token hashes
  'login_failures', // throttling counters (addresses, IPs)
  'connections', // OIDC state, nonce, code and token hashes
  'idp_connections', // the identity provider's state, nonce, code and access token hashes
  'http_sessions',
];

/** Per table: the columns no AdminJS action may read. */
export const INTERNAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  users: ['passwordHash', 'sealedAdminTotpSecret', 'adminTotpLastStep'],
  cards: ['sealedSeed', 'lastUsedStep'],
  // The FranceConnect identifier of the usager (a pseudonymous id usable with FranceConnect).
  usagers: ['sub'],
  // The bodies hold login links and links to the demandeur's space.
  email_outbox: ['html', 'textBody'],
  private_links: ['tokenHash'],
  issuer_email_confirmations: ['keyHash'],
  login_links: ['tokenHash'],
  setup_links: ['tokenHash'],
  connections: ['state', 'nonce', 'codeHash', 'accessTokenHash', 'sessionHash', 'logoutState'],
  idp_connections: ['state', 'nonce', 'codeHash', 'accessTokenHash', 'sessionHash'],
};

/**
 * Columns whose name looks secret but which were reviewed and may be shown: document fingerprints (integrity
 * proofs, not secrets), public content. (The journal's hash chain is no column of the journal: admin/journal-resource.ts.) A new column matching SECRET_LOOKING must be added
 * either here or to INTERNAL_FIELDS (test/admin-secrets.test.ts checks it).
 */
export const REVIEWED_PUBLIC_FIELDS: Readonly<Record<string, readonly string[]>> = {
  mandats: ['templateHash', 'attestationHash'],
  // the published translated text of the mandat: public content, edited in the back-office
  mandat_translations: ['body'],
};

export const SECRET_LOOKING = /hash|sealed|secret|token|step|nonce|^state$|^code|^sub$|html|body|password|totp|seed/i;

export function internalFieldsOf(table: string): readonly string[] {
  return INTERNAL_FIELDS[table] ?? [];
}
