// Every word the back-office shows has a French translation: each resource's name, each property it lists,
// shows or filters on, each action (built-in and custom, for the title and the breadcrumbs), each enumerated
// and boolean value; and no French text keeps a placeholder AdminJS does not fill.
import AdminJS from 'adminjs';
import { Database } from '@adminjs/sequelize';
import type { Sequelize } from 'sequelize';
import { GuardedResource } from '../admin/guarded-resource.js';
import { buildResources } from '../admin/resources.js';
import { backOfficeTranslations } from '../admin/translations.js';
import { createSequelize } from '../db/sequelize.js';
import type { Lifecycles } from '../services/lifecycles.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = createSequelize('postgres://nobody@127.0.0.1:1/none'); }); // no query is made
afterAll(() => sequelize.close());

/** The translation keys the back-office needs that have no French text. */
export function missingTranslations(): string[] {
  AdminJS.registerAdapter({ Database, Resource: GuardedResource });
  const admin = new AdminJS({ rootPath: '/admin', resources: buildResources({} as Lifecycles, 'http://localhost:3000', Buffer.alloc(32)) });
  const fr = backOfficeTranslations() as Record<string, unknown>;
  const has = (...keys: string[]) => keys.some((key) => typeof key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], fr) === 'string');
  const missing: string[] = [];
  for (const resource of admin.resources) {
    const id = resource.id();
    const decorated = resource.decorate();
    if (!has(`labels.${id}`)) missing.push(`labels.${id}`);
    const navigation = decorated.options.navigation;
    if (navigation && typeof navigation === 'object' && navigation.name && !has(`labels.${navigation.name}`)) missing.push(`labels.${navigation.name}`);
    const properties = new Map<string, ReturnType<typeof decorated.getProperties>[number]>();
    for (const where of ['list', 'show', 'filter'] as const) {
      for (const property of decorated.getProperties({ where })) properties.set(property.propertyPath, property);
    }
    for (const [path, property] of properties) {
      if (!has(`resources.${id}.properties.${path}`, `properties.${path}`)) missing.push(`resources.${id}.properties.${path}`);
      for (const { value } of property.availableValues() ?? []) {
        if (!has(`resources.${id}.labels.${path}.${value}`)) missing.push(`resources.${id}.labels.${path}.${value}`);
      }
      if (property.type() === 'boolean') {
        for (const value of ['true', 'false']) if (!has(`resources.${id}.labels.${path}.${value}`)) missing.push(`resources.${id}.labels.${path}.${value}`);
      }
    }
    for (const name of Object.keys(decorated.actions)) {
      // The action header looks in the resource first; the breadcrumbs only look in the global actions.
      if (!has(`resources.${id}.actions.${name}`, `actions.${name}`)) missing.push(`resources.${id}.actions.${name}`);
      if (!has(`actions.${name}`)) missing.push(`actions.${name}`);
    }
  }
  return [...new Set(missing)];
}

/** French texts with a {{placeholder}} that AdminJS fills with nothing (it sends them without values). */
function unfilledPlaceholders(): string[] {
  const messages = (backOfficeTranslations() as { messages: Record<string, string> }).messages;
  return ['forbiddenError', 'anyForbiddenError'].filter((key) => /\{\{/.test(messages[key]));
}

describe('the back-office in French', () => {
  it('translates every resource, property, action, enumerated and boolean value it shows', () => {
    expect(missingTranslations()).toEqual([]);
  });

  it('has no placeholder left in the messages AdminJS sends without values', () => {
    expect(unfilledPlaceholders()).toEqual([]);
  });
});
