// The ANCT back-office: AdminJS on our Sequelize models, in French, behind our own login.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AdminJS from 'adminjs';
import AdminJSExpress from '@adminjs/express';
import express, { Router } from 'express';
import { Database } from '@adminjs/sequelize';
import type { Config } from '../config/index.js';
import { createSecretBox } from '../services/secret-box.js';
import { adminAuthRouter } from './auth.js';
import { frenchResponses } from './french-responses.js';
import { GuardedResource } from './guarded-resource.js';
import { buildResources } from './resources.js';
import { journalExportRoute } from './journal-export-route.js';
import { DATA_EXPORT_PATH, dataExportRoute } from './data-export-route.js';
import { JournalEntry } from '../db/models/index.js';
import { backOfficeTranslations } from './translations.js';
import { COMPONENTS, componentLoader } from './components.js';
import { anctDashboard } from '../services/dashboard.js';
import type { Lifecycles } from '../services/lifecycles.js';

// Our data source: the adapter without the internal fields (admin/internal-fields.ts).
AdminJS.registerAdapter({ Database, Resource: GuardedResource });

export interface BackOffice {
  admin: AdminJS;
  router: Router;
  close(): Promise<void>;
}

export async function buildBackOffice(config: Config, databaseUrl: string, lifecycles: Lifecycles): Promise<BackOffice> {
  // AdminJS writes its generated bundle in ADMIN_JS_TMP_DIR, read when adminjs is first imported: the
  // processes' environment sets it (scripts/start.ts, Dockerfile); the default is .adminjs (git-ignored).
  const resources = buildResources(lifecycles, config.http.publicUrl, config.secrets.key, { retention: config.retention, inactivity: config.inactivity });
  const admin = new AdminJS({
    rootPath: '/admin',
    loginPath: '/admin/login',
    logoutPath: '/admin/logout',
    resources,
    componentLoader,
    dashboard: { component: COMPONENTS.Dashboard, handler: async () => anctDashboard(config.habilitation.comiteReminderDelayMs) },
    // Everything from the service itself: our logo, and Marianne (admin/static/fonts.css) instead of Roboto.
    branding: {
      companyName: 'Aidants Connect — ANCT', withMadeWithLove: false, favicon: '/dsfr/favicon/favicon.svg', logo: '/admin/static/logo.svg',
    },
    locale: { language: 'fr', availableLanguages: ['fr'], translations: { fr: backOfficeTranslations() }, localeDetection: false },
  });
  // Outside production AdminJS serves a components bundle found on disk as is, even one built before a
  // component was added: remove it so that the first page view builds the current one — unless the process
  // is told the bundle was built for this code (ADMIN_JS_SKIP_BUNDLE: the test run builds one for all its servers).
  if (process.env.NODE_ENV !== 'production' && process.env.ADMIN_JS_SKIP_BUNDLE !== 'true') {
    await rm(path.join(process.env.ADMIN_JS_TMP_DIR ?? '.adminjs', 'bundle.js'), { force: true });
  }
  await admin.initialize();
  const auth = adminAuthRouter({ databaseUrl, sessionSecret: config.http.sessionSecret, secretBox: createSecretBox(config.secrets.key), secureCookies: config.http.publicUrl.startsWith('https:'), publicUrl: config.http.publicUrl });
  // AdminJS answers 500 for a resource it does not know (a hidden table, a typo): say 404, after the login check.
  const known = new Set(admin.resources.map((resource) => resource.id()));
  auth.router.use('/api/resources/:resourceId', (req, res, next) => {
    if (known.has(req.params.resourceId)) return next();
    res.status(404).json({ message: 'Cette page n’existe pas dans le back-office.' });
  });
  auth.router.get('/journal/export.csv', journalExportRoute(JournalEntry.sequelize!));
  auth.router.get(DATA_EXPORT_PATH, dataExportRoute(JournalEntry.sequelize!));
  const router = Router();
  router.use('/static', express.static(path.join(path.dirname(fileURLToPath(import.meta.url)), 'static'), { maxAge: '1d', index: false }));
  router.use(frenchResponses);
  router.use(AdminJSExpress.buildRouter(admin, auth.router));
  return { admin, router, close: auth.close };
}

