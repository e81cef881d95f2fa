// The espace référent: the structure's aidants, their onboarding and training, adding and deactivating aidants.
import { Router } from 'express';
import type { EspaceDeps } from './index.js';

export function referentRouter(_deps: EspaceDeps): Router {
  return Router();
}
