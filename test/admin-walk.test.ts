// Walks the back-office in a real browser as each ANCT role: every resource's list and record page and each
// custom action's form. Fails on an untranslated key (camelCase), a leftover {{placeholder}}, AdminJS's
// English words, a date not in the French format, or anything loaded from another host.
import type { Browser, Page } from 'playwright-core';
import { generateSync } from 'otplib';
import type { Model, Sequelize } from 'sequelize';
import { JournalEntry } from '../db/models/index.js';
import { DEMO_PASSWORD } from '../services/demo-data.js';
import type { Lifecycles } from '../services/lifecycles.js';
import { buildResources } from '../admin/resources.js';
import { createAdminFixtures, type AdminFixtures } from './support/admin-fixtures.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { createStaffMember } from './support/factories.js';

let staff: Awaited<ReturnType<typeof createStaffMember>>[];
let fixtures: AdminFixtures;
let resources: { id: string; customActions: string[] }[];
let other: Awaited<ReturnType<typeof createStaffMember>>;

const stack = useBackOfficeStack({
  browser: true,
  prepare: async () => {
    resources = buildResources({} as Lifecycles, 'http://localhost:3000', Buffer.alloc(32)).map((r) => ({
      id: (r.resource as typeof Model).tableName,
      customActions: Object.entries(r.options?.actions ?? {}).filter(([, action]) => action && 'component' in action && action.component).map(([name]) => name),
    }));
    staff = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff'), await createStaffMember('tech_admin')];
    other = await createStaffMember('anct_jury');
    fixtures = await createAdminFixtures(staff.map((s) => s.id));
    fixtures.ids.journal = String((await JournalEntry.findOne({ where: { actorId: staff[2].id } }))!.id);
  },
});

const ENGLISH = [
  'Yes', 'No', 'Filter', 'Show', 'Edit', 'Delete', 'Create new', 'Require Changes', 'Record Training', 'Mark Sent', 'Send Message',
  'cannot be found', 'You are not', 'Loading', 'There are no', 'Record with given id', 'records', 'Search', 'Logout', 'Dashboard',
];
const CAMEL_CASE = /\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g;
const ISO_DATE_TIME = /\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/g;

function problemsIn(text: string): string[] {
  return [
    ...(text.match(/\{\{[^}]*\}\}/g) ?? []).map((p) => `placeholder ${p}`),
    ...(text.match(CAMEL_CASE) ?? []).map((p) => `identifier ${p}`),
    ...(text.match(ISO_DATE_TIME) ?? []).map((p) => `date ${p}`),
    ...ENGLISH.filter((word) => new RegExp(`(^|[^\\p{L}])${word}([^\\p{L}]|$)`, 'u').test(text)).map((word) => `English « ${word} »`),
  ];
}

async function logIn(page: Page, person: { email: string; totp: string }) {
  page.setDefaultTimeout(90_000);
  await page.goto(`${stack.web.url}/admin/login`);
  await page.fill('#email', person.email);
  await page.fill('#password', DEMO_PASSWORD);
  await page.fill('#otp', generateSync({ secret: person.totp, period: 30, digits: 6 }));
  await page.click('button[type=submit]');
  // The first page view builds AdminJS's components bundle: slow on a busy machine.
  await page.waitForURL(`${stack.web.url}/admin`, { waitUntil: 'commit' });
}

/** Each text node on its own (innerText glues the breadcrumbs' words together). */
const TEXTS = `(() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !['SCRIPT', 'STYLE'].includes(parent.tagName) && node.textContent.trim()) texts.push(node.textContent.trim());
  }
  for (const field of document.querySelectorAll('input[placeholder], textarea[placeholder]')) texts.push(field.getAttribute('placeholder'));
  return texts.join('\\n');
})()`;

const pageTexts = new Map<string, string>();

async function visit(page: Page, path: string, found: string[], role: string) {
  // Inside the single-page application, as a click on a link does: no reload of AdminJS's bundles.
  // AdminJS renders a page once its API call answered (then the page's components may fetch more).
  // Wait for THIS page's call (a record action's, or the list's), not a late call of the page before on the same
  // resource: that one answering first let the text be read before the page was drawn.
  const [, resource, recordPath] = /^\/admin\/resources\/([^/]+)(\/records\/.+)?$/.exec(path)!;
  const call = `/admin/api/resources/${resource}${recordPath ?? '/actions/list'}`;
  const answered = page.waitForResponse((response) => new URL(response.url()).pathname === call);
  await page.evaluate(`window.history.pushState({}, '', ${JSON.stringify(path)}); window.dispatchEvent(new PopStateEvent('popstate'))`);
  await answered;
  // The response event comes with the headers: the page draws once it has read the body and left its loading
  // state (AdminJS shows a text-less Loader until then — read too early on a loaded machine, the page was empty).
  await page.waitForFunction('!document.querySelector(\'[data-testid="Loader"]\')');
  // React commits the answer's state before the next frames are painted.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  await capture(page, path, found, role);
}

async function capture(page: Page, path: string, found: string[], role: string) {
  const text = await page.evaluate(TEXTS) as string;
  pageTexts.set(`${role} ${path}`, text);
  found.push(...problemsIn(text).map((problem) => `${path}: ${problem}`));
}

describe('the back-office in a browser, as each role', () => {
  it('shows only French, with French dates, and loads nothing from another host', async () => {
    const found: string[] = [];
    const foreign: string[] = [];
    await Promise.all(staff.map(async (person) => {
      const page = await stack.browser.newPage();
      page.on('request', (request) => { if (!request.url().startsWith(stack.web.url) && !request.url().startsWith('data:')) foreign.push(request.url()); });
      await logIn(page, person);
      // The first page view builds this web process's AdminJS components bundle: minutes on a loaded 2-core machine.
      await page.getByText('Tableau de bord de l’ANCT').waitFor({ timeout: 240_000 });
      await capture(page, '/admin', found, person.email); // the dashboard, where the login lands
      // A role walks the resources it may list (the others are not in its navigation).
      const shown = await page.evaluate("window.REDUX_STATE.resources.filter((r) => r.resourceActions.some((a) => a.name === 'list')).map((r) => r.id)") as string[];
      expect(shown.length).toBeGreaterThan(0);
      for (const resource of resources.filter((r) => shown.includes(r.id))) {
        const id = fixtures.ids[resource.id];
        await visit(page, `/admin/resources/${resource.id}`, found, person.email);
        await visit(page, `/admin/resources/${resource.id}/records/${encodeURIComponent(id)}/show`, found, person.email);
        for (const action of resource.customActions) await visit(page, `/admin/resources/${resource.id}/records/${encodeURIComponent(id)}/${action}`, found, person.email);
      }
      await page.close();
    }));
    expect(found).toEqual([]);
    expect(foreign).toEqual([]);

    // Dates in the French format and in Europe/Paris; a shipment is named after its aidant and structure.
    const entry = (await JournalEntry.findByPk(fixtures.ids.journal))!;
    const paris = Object.fromEntries(new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(entry.createdAt).map((part) => [part.type, part.value]));
    expect(pageTexts.get(`${staff[2].email} /admin/resources/journal/records/${fixtures.ids.journal}/show`)).toContain(`${paris.day}/${paris.month}/${paris.year} ${paris.hour}:${paris.minute}`);
    expect(pageTexts.get(`${staff[2].email} /admin/resources/card_shipments/records/${fixtures.ids.card_shipments}/markSent`)).toMatch(/Carte de Karim Benali — CCAS /);
  }, 420_000);

  it('serves /admin pages that reference no other host', async () => {
    const page = await stack.browser.newPage();
    await logIn(page, other); // another person: a code is accepted once
    for (const path of ['/admin', '/admin/resources/habilitation_requests', '/admin/login']) {
      const html = await page.evaluate(async (url) => (await fetch(url)).text(), `${stack.web.url}${path}`);
      const hosts = [...html.matchAll(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\/([^/"'\s>]+)/gi), ...html.matchAll(/url\(\s*["']?(?:https?:)?\/\/([^/"')]+)/gi)]
        .map((match) => match[1]).filter((host) => host !== new URL(stack.web.url).host);
      expect({ path, hosts }).toEqual({ path, hosts: [] });
    }
    await page.close();
  });
});
