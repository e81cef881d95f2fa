// The attestation of a mandat (page and PDF), of its revocation, and the public verification page its QR code
// leads to, through the real application (in process) and PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream, StandardFonts, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { Autorisation, Mandat } from '../db/models/index.js';
import { attestationHash, templateHash } from '../domain/attestation.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import { MANDAT_TEXTS, mandatTextCanonical } from '../domain/mandat-text.js';
import { createApp, withoutTokens } from '../server/app.js';
import { winAnsi } from '../server/espace/attestation-pdf.js';
import { mandatIdOfToken, verificationToken, verificationUrl } from '../services/mandat-verification.js';
import { TEMPLATE_HASH } from '../services/demo-data.js';
import { qrMatrix, qrRuns } from '../services/qr-code.js';
import { createPerson, createStructure, espaceCookie } from './support/espace.js';
import { testConfig, testSequelize } from './support/env.js';
import { createUsager, DAY, signMandat } from './support/mandats.js';
import { appWithoutTemporal } from './support/app.js';

const config = testConfig();
let sequelize: Sequelize;
let app: ReturnType<typeof createApp>;
beforeAll(() => {
  sequelize = testSequelize();
  app = appWithoutTemporal(sequelize, config);
});
afterAll(() => sequelize.close());

const get = (path: string, cookie?: string) => (cookie ? request(app).get(path).set('Cookie', cookie) : request(app).get(path));
const binary = (path: string, cookie: string) => get(path, cookie).buffer(true).parse((res, done) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
});
const textOf = (page: string) => page.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, '\'').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

/** WinAnsi bytes 0x80–0x9F that differ from Latin-1 (those the attestation may use). */
const WIN_ANSI: Record<number, string> = { 0x80: '€', 0x85: '…', 0x8c: 'Œ', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—', 0x9c: 'œ' };
/** The operators of a pdf-lib page: its content streams inflated. */
function pageOperators(page: PDFPage): string {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => page.doc.context.lookup(ref)) : [contents];
  return streams.map((stream) => Buffer.from(stream instanceof PDFRawStream ? decodePDFRawStream(stream).decode() : new Uint8Array()).toString('latin1')).join('\n');
}
/** The text a page shows: the hex strings of its Tj operators, decoded from WinAnsi. */
const pageText = (page: PDFPage): string => [...pageOperators(page).matchAll(/<([0-9A-Fa-f]*)> Tj/g)]
  .map((m) => [...Buffer.from(m[1], 'hex')].map((b) => WIN_ANSI[b] ?? String.fromCharCode(b)).join('')).join('\n');

async function scene() {
  const [a, b] = [await createStructure('CCAS de Préguillac'), await createStructure()];
  const { user: aidant } = await createPerson(a);
  const { user: aidantB } = await createPerson(b);
  const usager = await createUsager({ givenName: 'Zoé', familyName: `Bœuf-Lefèvre-${randomUUID().slice(0, 6)}`, birthdate: '1948-03-12' });
  const created = await signMandat(sequelize, { aidant, organisation: a, usager, demarches: ['social', 'argent'], duration: 'SEMESTER' });
  const other = await signMandat(sequelize, { aidant: aidantB, organisation: b, usager: await createUsager(), demarches: ['papiers'] });
  const cookie = await espaceCookie(sequelize, aidant, a.id);
  return { a, b, aidant, usager, mandat: created.mandat, other: other.mandat, cookie };
}

describe('the legal text and its hash', () => {
  it('templateHash is the SHA-256 of the version’s text, pinned; an unknown version throws; the demo follows', () => {
    expect(MANDAT_TEXTS[MANDAT_TEXT_VERSION].version).toBe(MANDAT_TEXT_VERSION);
    const text = mandatTextCanonical(MANDAT_TEXT_VERSION);
    expect(text).toContain('révoquer le mandat, en tout ou partie, à tout moment');
    expect(templateHash(MANDAT_TEXT_VERSION)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    // Pinned: the text of a version signed by usagers never changes — a new wording is a new version.
    expect(templateHash(MANDAT_TEXT_VERSION)).toBe('3d33b0d61b32260241eade3d16edeb6ee25846b0e8d8b6ab5cfbfa1596ae44f6');
    expect(() => templateHash('1999-01-01')).toThrow();
    expect(TEMPLATE_HASH).toBe(templateHash(MANDAT_TEXT_VERSION));
  });

  it('keeps the text version and its hash with the mandat; the attestation hash covers the version', async () => {
    const { mandat, usager, aidant, a } = await scene();
    expect(mandat.textVersion).toBe(MANDAT_TEXT_VERSION);
    expect(mandat.templateHash).toBe(templateHash(MANDAT_TEXT_VERSION));
    const facts = {
      mandatId: mandat.id, organisationId: a.id, aidantId: aidant.id, usagerSub: usager.sub, demarches: ['argent', 'social'] as const,
      duration: 'SEMESTER' as const, createdAt: mandat.createdAt, expiresAt: mandat.expiresAt, textVersion: MANDAT_TEXT_VERSION,
    };
    expect(mandat.attestationHash).toBe(attestationHash(facts));
    expect(attestationHash({ ...facts, textVersion: '2027-01-01' })).not.toBe(mandat.attestationHash);
  });

  it('prints French letters in WinAnsi and replaces what it cannot encode', async () => {
    const font = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
    expect(winAnsi(font, 'é à ç œ Œ « » ’ … – €')).toBe('é à ç œ Œ « » ’ … – €');
    expect(winAnsi(font, '12\u202f000 ğ ✓')).toBe('12\u00a0000 g ?');
  });
});

describe('the attestation of a mandat', () => {
  it('shows the parties, démarches, dates, the hashes and a QR code leading to the verification address; printable', async () => {
    const { mandat, usager, a, cookie } = await scene();
    const res = await get(`/espace-aidant/mandats/${mandat.id}/attestation`, cookie).expect(200);
    const text = textOf(res.text);
    expect(text).toContain(`Zoé ${usager.familyName}`);
    expect(text).toContain('12/03/1948');
    expect(text).toContain('CCAS de Préguillac');
    expect(text).toContain(a.habilitationNumber!);
    expect(text).toContain('Karim Benali');
    expect(text).toContain('Social - Santé');
    expect(text).toContain('Argent - Impôts - Consommation');
    expect(text).toContain('pour une durée de six mois (182 jours)');
    expect(text).toContain(mandat.createdAt.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' }));
    expect(text).toContain(mandat.expiresAt.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' }));
    expect(text).toContain(mandat.attestationHash);
    expect(text).toContain(mandat.templateHash);
    expect(text).toContain('Article 4 – Droit de révocation');
    // Printed without the header, the footer and the page's own buttons.
    expect(res.text).toMatch(/<header role="banner" class="fr-header fr-no-print">/);
    expect(res.text).toMatch(/<footer class="fr-footer fr-no-print"/);
    expect(res.text).toMatch(/fr-btns-group--inline-md fr-no-print/);

    const url = verificationUrl(config.http.publicUrl, config.secrets.key, mandat.id);
    expect(res.text).toContain(`data-qr-url="${url}"`);
    expect(url).not.toContain(mandat.id);
    expect(url).not.toContain(mandat.id.replace(/-/g, ''));
    // The QR code drawn is the one of the verification address: its modules, read back from the SVG.
    const dark = new Set<string>();
    for (const [, x, y, w] of res.text.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      for (let i = 0; i < Number(w); i += 1) dark.add(`${Number(x) + i - 4},${Number(y) - 4}`);
    }
    const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
    const expected = new Set<string>();
    for (let y = 0; y < modules.size; y += 1) for (let x = 0; x < modules.size; x += 1) if (modules.get(y, x)) expected.add(`${x},${y}`);
    expect(dark).toEqual(expected);
    // And the address works.
    const verification = await get(new URL(url).pathname).expect(200);
    expect(textOf(verification.text)).toContain('Ce mandat est en cours, jusqu’au');
  });

  it('gives the same content as an A4 PDF, with its accents, inline and not cached', async () => {
    const { mandat, usager, cookie } = await scene();
    const res = await binary(`/espace-aidant/mandats/${mandat.id}/attestation.pdf`, cookie).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^inline; filename="attestation-mandat-\d{4}-\d{2}-\d{2}\.pdf"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.body as Buffer;
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdf = await PDFDocument.load(body);
    expect(pdf.getPageCount()).toBeGreaterThanOrEqual(2);
    expect(pdf.getTitle()).toBe('Attestation de mandat');
    const [width, height] = [pdf.getPage(0).getWidth(), pdf.getPage(0).getHeight()];
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
    const text = pdf.getPages().map(pageText).join('\n');
    expect(text).toContain(`Usager (mandant) : Zoé ${usager.familyName}`);
    expect(text).toContain('Bœuf');
    expect(text).toContain('Démarches couvertes');
    expect(text).toContain('• Argent - Impôts - Consommation');
    expect(text).toContain('Article 5 – Engagements de l’aidant');
    expect(text).toContain(mandat.attestationHash);
    expect(text).toContain(verificationUrl(config.http.publicUrl, config.secrets.key, mandat.id));
    // The QR code is drawn: one filled path of one sub-path (a `m` move) per run of dark modules.
    const url = verificationUrl(config.http.publicUrl, config.secrets.key, mandat.id);
    const ops = pdf.getPages().map(pageOperators).join('\n');
    expect((ops.match(/ m\n/g) ?? []).length).toBe(qrRuns(qrMatrix(url)).length);
    expect(ops).toMatch(/\nf\n/);
  });

  it('answers 404 for another structure’s mandat, a malformed or unknown id', async () => {
    const { other, cookie } = await scene();
    for (const path of [`${other.id}/attestation`, `${other.id}/attestation.pdf`, `${other.id}/revocation`, 'pas-un-id/attestation',
      'pas-un-id/attestation.pdf', `${randomUUID()}/attestation`, `${randomUUID()}/revocation.pdf`]) {
      const res = await get(`/espace-aidant/mandats/${path}`, cookie);
      expect([path, res.status]).toEqual([path, 404]);
    }
    await get(`/espace-aidant/mandats/${other.id}/attestation`).expect(303);
  });
});

describe('the attestation of a revocation', () => {
  it('is refused for a mandat never revoked, and lists what was revoked, when and by whom', async () => {
    const { mandat, usager, aidant, a, cookie } = await scene();
    await get(`/espace-aidant/mandats/${mandat.id}/revocation`, cookie).expect(404);
    const usagerPage = (await get(`/espace-aidant/usagers/${usager.id}`, cookie).expect(200)).text;
    expect(usagerPage).toContain(`href="/espace-aidant/mandats/${mandat.id}/attestation"`);
    expect(usagerPage).not.toContain(`href="/espace-aidant/mandats/${mandat.id}/revocation"`);
    // A newer mandat for « social » supersedes that autorisation: a partial revocation.
    const newer = await signMandat(sequelize, { aidant, organisation: a, usager, demarches: ['social'], duration: 'MONTH', at: new Date(Date.now() + 1000) });
    const partial = textOf((await get(`/espace-aidant/mandats/${mandat.id}/revocation`, cookie).expect(200)).text);
    expect(partial).toContain('révoqué pour une partie de ses démarches');
    expect(partial).toMatch(/Social - Santé : révoquée le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2} par Karim Benali \(remplacée par un nouveau mandat\)/);
    expect(partial).toContain('Démarches toujours couvertes Argent - Impôts - Consommation');
    expect(partial).toContain(`Zoé ${usager.familyName}`);
    expect(newer.mandat.id).not.toBe(mandat.id);
    expect((await get(`/espace-aidant/usagers/${usager.id}`, cookie).expect(200)).text).toContain(`href="/espace-aidant/mandats/${mandat.id}/revocation"`);

    // Then the rest, by the aidant: the whole mandat is revoked.
    const at = new Date(Date.now() + 2000);
    await Autorisation.update({ revokedAt: at, revokedById: aidant.id }, { where: { mandatId: mandat.id, revokedAt: null } });
    const whole = textOf((await get(`/espace-aidant/mandats/${mandat.id}/revocation`, cookie).expect(200)).text);
    expect(whole).toContain('atteste que le mandat décrit ci-dessous a été révoqué le');
    expect(whole).toMatch(/Argent - Impôts - Consommation : révoquée le .* par Karim Benali/);
    expect(whole).not.toContain('Démarches toujours couvertes');
    const pdf = await PDFDocument.load((await binary(`/espace-aidant/mandats/${mandat.id}/revocation.pdf`, cookie).expect(200)).body as Buffer);
    expect(pdf.getTitle()).toBe('Attestation de révocation de mandat');
    expect(pdf.getPages().map(pageText).join('\n')).toContain('Démarches révoquées');
    // The mandat's own attestation now says it is revoked.
    expect(textOf((await get(`/espace-aidant/mandats/${mandat.id}/attestation`, cookie).expect(200)).text)).toMatch(/État Révoqué le/);
  });
});

describe('the public verification page', () => {
  const page = (mandatId: string) => `/mandats/verification/${verificationToken(config.secrets.key, mandatId)}`;
  const nothingPersonal = (text: string, usager: { givenName: string; familyName: string }) => {
    for (const personal of [usager.givenName, usager.familyName, '12/03/1948', '1948', 'Karim', 'Benali']) expect(text).not.toContain(personal);
  };

  it('says a mandat is in force, expired or revoked, with its structure’s name and nothing personal; never cached nor indexed', async () => {
    const { mandat, usager, aidant, a } = await scene();
    const active = await get(page(mandat.id)).expect(200);
    expect(active.headers['cache-control']).toBe('no-store');
    expect(active.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(active.headers['set-cookie']).toBeUndefined();
    const activeText = textOf(active.text);
    expect(activeText).toContain(`Ce mandat est en cours, jusqu’au ${mandat.expiresAt.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}`);
    expect(activeText).toContain('Structure mandataire : CCAS de Préguillac');
    nothingPersonal(active.text, usager);

    const old = await createUsager({ givenName: 'Yvette', birthdate: '1948-03-12' });
    const expired = await signMandat(sequelize, { aidant, organisation: a, usager: old, demarches: ['logement'], duration: 'MONTH', at: new Date(Date.now() - 40 * DAY) });
    const expiredText = textOf((await get(page(expired.mandat.id)).expect(200)).text);
    expect(expiredText).toContain(`Ce mandat a expiré le ${expired.mandat.expiresAt.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}`);
    nothingPersonal(expiredText, old);

    await Mandat.update({ status: 'revoked', revokedAt: new Date() }, { where: { id: mandat.id } });
    await Autorisation.update({ revokedAt: new Date(), revokedById: aidant.id }, { where: { mandatId: mandat.id } });
    const revokedText = textOf((await get(page(mandat.id)).expect(200)).text);
    expect(revokedText).toContain(`Ce mandat a été révoqué le ${new Date().toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}`);
    nothingPersonal(revokedText, usager);
  });

  it('answers the same neutral 404 to an unknown, forged or malformed token, and to the mandat id itself', async () => {
    const { mandat } = await scene();
    const token = verificationToken(config.secrets.key, mandat.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mandatIdOfToken(config.secrets.key, token)).toBe(mandat.id);
    const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    const otherKey = Buffer.alloc(32, 7);
    for (const probe of [verificationToken(config.secrets.key, randomUUID()), tampered, verificationToken(otherKey, mandat.id), mandat.id, 'x'.repeat(43), '%00']) {
      const res = await get(`/mandats/verification/${encodeURIComponent(probe)}`).expect(404);
      expect(textOf(res.text)).toContain('Aucun mandat ne correspond');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(mandatIdOfToken(config.secrets.key, tampered)).toBeNull();
  });

  it('keeps its token out of log lines', () => {
    expect(withoutTokens(`/mandats/verification/${'a'.repeat(43)}`)).toBe('/mandats/verification/…');
  });
});
