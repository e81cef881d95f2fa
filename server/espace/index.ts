// The second face of the service: the espace aidant and the espace référent, behind a login. Each part has
// its router; this module gives them their session, the person of the request and the access rules:
//   /connexion, /deconnexion, /reprise-activite   login-router.ts (public, then logged in)
//   /connexion/premiere-connexion                  setup-router.ts (a référent's first login by a setup link)
//   /espace-aidant                                 aidant-router.ts (logged in)
//   /espace-aidant/usagers                         usagers-router.ts (aidant who can create mandats; activity check)
//   /espace-aidant/mandats                         mandat-router.ts (creation, revocation; same rules)
//   /espace-aidant/mandats/:id/attestation|revocation  attestation-router.ts (same rules; page and PDF)
//   /espace-referent                               referent-router.ts, card-router.ts (référent of the current
//                                                  structure; pages ask a card code again after inactivity)
import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { createCardCodes, type CardCodes } from '../../services/card-codes.js';
import { createSecretBox, type SecretBox } from '../../services/secret-box.js';
import { aidantRouter } from './aidant-router.js';
import { attestationRouter } from './attestation-router.js';
import { cardRouter } from './card-router.js';
import { franceconnectRouter } from './franceconnect-router.js';
import { loginRouter } from './login-router.js';
import { mandatRouter } from './mandat-router.js';
import { referentRouter } from './referent-router.js';
import { setupRouter } from './setup-router.js';
import { trainingRouter } from './training-router.js';
import { renewalRouter } from './renewal-router.js';
import { usagersRouter } from './usagers-router.js';
import { ESPACE_PATHS, espaceSession, loadEspacePerson, requireAidant, requireLogin, requireRecentActivity, requireReferent } from './session.js';

export interface EspaceDeps extends AppDeps {
  secrets: SecretBox;
  cardCodes: CardCodes;
  /** Whether cookies are sent over TLS only (the public URL is https). */
  secure: boolean;
}

export function espaceRouter(deps: AppDeps): Router {
  const secrets = createSecretBox(deps.config.secrets.key);
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const espace: EspaceDeps = { ...deps, secrets, secure, cardCodes: createCardCodes({ sequelize: deps.sequelize, secrets }) };
  const router = Router();
  // Pages of a person's space: never cached (shared computers) nor indexed.
  router.use(ESPACE_PATHS, (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    next();
  });
  router.use(ESPACE_PATHS, espaceSession({ sequelize: deps.sequelize, secret: deps.config.http.sessionSecret, secure, maxAgeMs: deps.config.espace.sessionMaxAgeMs }));
  router.use(ESPACE_PATHS, loadEspacePerson({ sequelize: deps.sequelize }));
  router.use(loginRouter(espace));
  router.use(setupRouter(espace));
  router.use('/espace-aidant', requireLogin, aidantRouter(espace));
  router.use('/espace-aidant/usagers', requireLogin, requireAidant, requireRecentActivity({ sequelize: deps.sequelize, afterMs: deps.config.espace.activityCheckAfterMs }), usagersRouter(espace), renewalRouter(espace));
  router.use('/espace-aidant/mandats', requireLogin, requireAidant, requireRecentActivity({ sequelize: deps.sequelize, afterMs: deps.config.espace.activityCheckAfterMs }), mandatRouter(espace), attestationRouter(espace));
  router.use('/espace-aidant', franceconnectRouter(espace)); // /franceconnect: the usager's identification
  router.use('/espace-referent', requireLogin, requireReferent, requireRecentActivity({ sequelize: deps.sequelize, afterMs: deps.config.espace.activityCheckAfterMs }));
  router.use('/espace-referent', referentRouter(espace), cardRouter(espace));
  router.use('/espace-referent', trainingRouter(espace)); // /formations: training registrations
  return router;
}
