// The espace aidant: the home page after login, the structure switch, the CGU.
import { Router } from 'express';
import type { EspaceDeps } from './index.js';

export function aidantRouter(_deps: EspaceDeps): Router {
  return Router();
}
