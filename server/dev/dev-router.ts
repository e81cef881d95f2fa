// Development-only helpers (DEV_TOOLS=true, refused in production): read the current code of every card and
// authenticator application linked to someone (espace aidant / référent login) and of the demo ANCT accounts'
// authenticator, so a person trying the demo can log in, and the links of the demo demandeurs' private spaces
// (a private link minted at each view, valid one day).
import { Router } from 'express';
import { generateSync } from 'otplib';
import { Op } from 'sequelize';
import { Card, Issuer, User } from '../../db/models/index.js';
import { STAFF_ROLES, type StaffRole } from '../../domain/roles.js';
import { mintIssuerLink } from '../../services/private-links.js';
import { createSecretBox } from '../../services/secret-box.js';
import { currentCode } from '../../services/totp.js';
import type { AppDeps } from '../app.js';
import { asyncRoute } from '../web/async-route.js';
import { html } from '../web/html.js';
import { layout } from '../web/layout.js';

export function devRouter(deps: AppDeps): Router {
  const router = Router();
  const secrets = createSecretBox(deps.config.secrets.key);
  router.get('/codes', asyncRoute(async (_req, res) => {
      const cards = await Card.findAll({ where: { aidantId: { [Op.ne]: null } }, include: [{ model: User, as: 'aidant' }], order: [['kind', 'DESC'], ['serialNumber', 'ASC']] });
      const staff = await User.findAll({ where: { sealedAdminTotpSecret: { [Op.ne]: null } }, order: [['email', 'ASC']] });
      const demandeurs = await Issuer.findAll({ where: { email: { [Op.like]: '%.demo' } }, order: [['email', 'ASC']] });
      const linkKeys = { publicUrl: deps.config.http.publicUrl, secretsKey: deps.config.secrets.key };
      const links = await Promise.all(demandeurs.map((i) => mintIssuerLink(linkKeys, i.id, { validDays: 1 })));
      res.setHeader('Cache-Control', 'no-store');
      res.send(layout({ title: 'Codes de démonstration' }, html`
        <h1>Codes de démonstration</h1>
        <div class="fr-alert fr-alert--warning fr-mb-4w"><p>Page de développement : elle n’existe pas en production. Les codes changent toutes les 60 secondes (cartes physiques) ou 30 secondes (applications d’authentification).</p></div>
        <h2>Comptes ANCT (back-office)</h2>
        <div class="fr-table"><table><thead><tr><th>Adresse e-mail</th><th>Rôles</th><th>Code actuel</th></tr></thead><tbody>
          ${staff.map((u) => html`<tr><td>${u.email}</td><td>${u.staffRoles.map((r) => STAFF_ROLES[r as StaffRole]).join(', ')}</td>
            <td><strong>${adminCode(secrets.open(u.sealedAdminTotpSecret!))}</strong></td></tr>`)}
        </tbody></table></div>
        <h2>Espaces demandeurs de démonstration</h2>
        <p>Le lien de l’espace est normalement envoyé par e-mail au demandeur. Ceux-ci sont créés à chaque affichage de la page et valables un jour.</p>
        <ul>${demandeurs.map((i, n) => html`<li><a href="${links[n].url}">${i.firstName} ${i.lastName} (${i.email})</a></li>`)}</ul>
        <h2>Cartes et applications des aidants et des référents</h2>
        <p>Pour vous connecter à l’espace aidant ou référent, saisissez l’adresse e-mail et le code actuel sur <a href="/connexion">/connexion</a>.
          Le lien de connexion arrive par e-mail : avec <code>npm start</code>, dans la boîte de démonstration
          <a href="http://localhost:${deps.config.mail.sinkWebPort}">http://localhost:${deps.config.mail.sinkWebPort}</a>. Un code ne sert qu’une fois : attendez le suivant pour une autre connexion.</p>
        <div class="fr-table"><table><thead><tr><th>Carte</th><th>Personne</th><th>État</th><th>Code actuel</th></tr></thead><tbody>
          ${cards.map((c) => {
            const aidant = (c as Card & { aidant: User }).aidant;
            return html`<tr><td>${c.serialNumber ?? 'Application d’authentification'} (${c.periodSeconds} s)</td><td>${aidant.firstName} ${aidant.lastName} (${aidant.email})</td>
              <td>${c.validatedAt ? 'validée' : 'à valider'}${aidant.isActive ? '' : ', compte désactivé'}</td>
              <td><strong>${currentCode(secrets.open(c.sealedSeed), c.periodSeconds)}</strong></td></tr>`;
          })}
        </tbody></table></div>`));
  }));
  return router;
}

function adminCode(secret: string): string {
  try {
    return generateSync({ secret, period: 30, digits: 6 });
  } catch {
    return '(secret invalide)';
  }
}
