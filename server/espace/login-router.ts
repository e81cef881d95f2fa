// Login of aidants and référents (e-mail + card code → single-use link by e-mail), the activity check and logout.
import { Router } from 'express';
import type { EspaceDeps } from './index.js';

export function loginRouter(_deps: EspaceDeps): Router {
  return Router();
}
