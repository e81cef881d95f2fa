// The attestation hash of a mandat: SHA-256 over its canonical content (domain/mandat.ts attestationContent),
// which includes the legal text version. Stable for the same mandat; any change to it (a démarche, a date,
// the parties, the text) gives another hash. Kept apart from domain/mandat.ts because workflows import that
// module and cannot import node:crypto.
import { createHash } from 'node:crypto';
import { attestationContent, type AttestationFacts } from './mandat.js';

export const attestationHash = (facts: AttestationFacts): string => createHash('sha256').update(attestationContent(facts), 'utf8').digest('hex');

/**
 * The hash kept in mandats.template_hash. The legal text itself is not in the repository yet: until it is,
 * this is the hash of its version's name; the creation pages will replace it with the hash of the text.
 */
export const templateHash = (textVersion: string): string => createHash('sha256').update(`mandat-template-${textVersion}`, 'utf8').digest('hex');
