// E-mail templates of training sessions (registration, change, cancellation). Same shape as emails/templates.ts, into which they are spread.
import { button, p } from './blocks.js';
import { escapeHtml as e } from './escape.js';
import { hello, helloText, type Greeted, type RenderContext } from './common.js';

export const TRAINING_TEMPLATES = {
} as const;
