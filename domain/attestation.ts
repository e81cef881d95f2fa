// The attestation hash of a mandat: SHA-256 over its canonical content (domain/mandat.ts attestationContent),
// which includes the legal text version. Stable for the same mandat; any change to it (a démarche, a date,
// the parties, the text) gives another hash. Kept apart from domain/mandat.ts because workflows import that
// module and cannot import node:crypto.
import { createHash } from 'node:crypto';
import { attestationContent, type AttestationFacts } from './mandat.js';
import { mandatTextCanonical } from './mandat-text.js';

export const attestationHash = (facts: AttestationFacts): string => createHash('sha256').update(attestationContent(facts), 'utf8').digest('hex');

/**
 * The hash kept in mandats.template_hash: SHA-256 of the canonical legal text of the version signed
 * (domain/mandat-text.ts). An unknown version throws: a mandat is never signed with a text we cannot show.
 */
export const templateHash = (textVersion: string): string => createHash('sha256').update(mandatTextCanonical(textVersion), 'utf8').digest('hex');
