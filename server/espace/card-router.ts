// Cards in the espace référent: link and validate a physical card, add a digital card, unlink; the référent's own application.
import { Router } from 'express';
import type { EspaceDeps } from './index.js';

export function cardRouter(_deps: EspaceDeps): Router {
  return Router();
}
