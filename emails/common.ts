// What every e-mail template shares: the render context (links of the service) and the greeting.
import { p } from './blocks.js';
import { escapeHtml as e } from './escape.js';

export interface RenderContext {
  /** Base URL of the service, without trailing slash. */
  publicUrl: string;
  /** Where an aidant registers for the training (TRAINING_REGISTRATION_URL). */
  trainingRegistrationUrl: string;
  /** The ANCT's contact address for people. */
  contactEmail: string;
}

/** Every template accepts the reader's name; without one it falls back to the name it already knows, if any. */
export interface Greeted { recipientName?: string }

export const hello = (name?: string) => p(name ? `Bonjour ${e(name)},` : 'Bonjour,');
export const helloText = (name?: string) => (name ? `Bonjour ${name},` : 'Bonjour,');
export const mailto = (address: string) => `<a href="mailto:${e(address)}">${e(address)}</a>`;
export const espaceUrl = (c: RenderContext) => `${c.publicUrl}/espace`;
