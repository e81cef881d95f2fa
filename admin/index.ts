// The ANCT back-office: AdminJS on our Sequelize models, in French, behind our own login.
import path from 'node:path';
import AdminJS from 'adminjs';
import AdminJSExpress from '@adminjs/express';
import { Database, Resource } from '@adminjs/sequelize';
import type { Router } from 'express';
import { PROJECT_ROOT, type Config } from '../config/index.js';
import { adminAuthRouter } from './auth.js';
import { frTranslations } from './locale/fr.js';
import { buildResources, enumTranslations } from './resources.js';

AdminJS.registerAdapter({ Database, Resource });

export interface BackOffice {
  admin: AdminJS;
  router: Router;
  close(): Promise<void>;
}

export async function buildBackOffice(config: Config, databaseUrl: string): Promise<BackOffice> {
  // AdminJS writes its generated bundle in ADMIN_JS_TMP_DIR (git-ignored, not a dot-folder).
  process.env.ADMIN_JS_TMP_DIR ??= path.join(PROJECT_ROOT, 'adminjs-bundle');
  const resources = buildResources();
  const admin = new AdminJS({
    rootPath: '/admin',
    loginPath: '/admin/login',
    logoutPath: '/admin/logout',
    resources,
    branding: { companyName: 'Aidants Connect — ANCT', withMadeWithLove: false, favicon: '/dsfr/favicon/favicon.svg' },
    locale: { language: 'fr', availableLanguages: ['fr'], translations: { fr: mergeDeep(frTranslations, enumTranslations()) }, localeDetection: false },
  });
  await admin.initialize();
  const auth = adminAuthRouter({ databaseUrl, sessionSecret: config.http.sessionSecret, secureCookies: config.http.publicUrl.startsWith('https:') });
  const router = AdminJSExpress.buildRouter(admin, auth.router);
  return { admin, router, close: auth.close };
}

function mergeDeep<T extends Record<string, unknown>>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = current && typeof current === 'object' && value && typeof value === 'object'
      ? mergeDeep(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out as T;
}
