// Authentication of the back-office: our own login (password, then a TOTP code) in front of AdminJS,
// with sessions stored in PostgreSQL. AdminJS reads the signed-in person from req.session.adminUser.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import pg from 'pg';
import { User } from '../db/models/index.js';
import { appendJournal } from '../services/journal.js';
import { clearFailures, consumeAdminTotpStep, recordFailure, tooManyFailures } from '../services/login-guard.js';
import { clientAddress } from '../server/web/client-address.js';
import { verifyPassword } from '../services/passwords.js';
import type { SecretBox } from '../services/secret-box.js';
import { verifyTotp } from '../services/totp.js';
import { csrfToken, verifyCsrf } from '../server/web/csrf.js';
import { adminLoginPage } from './login-page.js';
import { sameOriginOnly, sessionToken } from './request-guard.js';

export interface AdminUser {
  id: string;
  email: string;
  title: string;
  roles: string[];
}

declare module 'express-session' {
  interface SessionData {
    adminUser?: AdminUser;
  }
}

const GENERIC_ERROR = 'Adresse e-mail, mot de passe ou code incorrect.';

export function adminAuthRouter(options: { databaseUrl: string; sessionSecret: string; secureCookies: boolean; secretBox: SecretBox; publicUrl: string }): { router: Router; close(): Promise<void> } {
  const PgStore = connectPgSimple(session);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 5 });
  const router = Router();

  router.use(session({
    store: new PgStore({ pool, tableName: 'http_sessions', createTableIfMissing: false, pruneSessionInterval: 15 * 60 }),
    name: 'ac_admin',
    secret: options.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, maxAge: 8 * 3600_000, path: '/admin' },
  }));
  router.use(sameOriginOnly(options.publicUrl));

  router.get('/login', (req, res) => {
    if (req.session.adminUser) return res.redirect('/admin');
    res.send(adminLoginPage({ csrfToken: csrfToken(req, res, options.secureCookies) }));
  });

  router.post('/login', express.urlencoded({ extended: false, limit: '10kb' }), verifyCsrf, (req, res, next) => {
    (async () => {
      const email = String(req.body.email ?? '').trim().toLowerCase();
      const password = String(req.body.password ?? '');
      const otp = String(req.body.otp ?? '').trim();
      const attempt = { key: email, ip: clientAddress(req) };
      const fail = async (status: number, message = GENERIC_ERROR) => {
        await recordFailure(attempt);
        res.status(status).send(adminLoginPage({ csrfToken: csrfToken(req, res, options.secureCookies), error: message, email }));
      };
      if (await tooManyFailures(attempt)) {
        return fail(429, 'Trop de tentatives de connexion. Réessayez dans quelques minutes.');
      }
      const user = email ? await User.findOne({ where: { email } }) : null;
      const passwordOk = await verifyPassword(password, user?.passwordHash ?? null);
      const code = user?.sealedAdminTotpSecret ? verifyTotp(options.secretBox.open(user.sealedAdminTotpSecret), 30, otp) : { valid: false };
      if (!user || !user.isActive || user.staffRoles.length === 0 || !passwordOk || !code.valid) return fail(401);
      // Checked last, once everything else is right: a used code must not burn the next attempt's step.
      if (!(await consumeAdminTotpStep(user.id, code.step!))) return fail(401, 'Ce code a déjà été utilisé : attendez le suivant.');

      await clearFailures(attempt);
      const adminUser: AdminUser = { id: user.id, email: user.email, title: `${user.firstName} ${user.lastName}`, roles: user.staffRoles };
      await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
      req.session.adminUser = adminUser;
      await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
      await user.update({ lastLoginAt: new Date() });
      await appendJournal({ action: 'admin_login', actorId: user.id, details: { ip: req.ip } });
      res.redirect(303, '/admin');
    })().catch(next);
  });

  router.get('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.redirect('/admin/login')));
  });

  // Everything else under /admin needs a signed-in ANCT person.
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.session.adminUser) return next();
    if (req.path.startsWith('/api/')) return void res.status(401).json({ message: 'Session expirée : reconnectez-vous.' });
    res.redirect('/admin/login');
  });
  router.use(sessionToken(options.secureCookies));

  return { router, close: () => pool.end() };
}
