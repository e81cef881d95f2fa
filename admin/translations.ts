// The back-office's French: AdminJS's interface (locale/fr.ts), the project's words (locale/fr-project.ts) and
// the labels of enumerated and boolean values, computed from the resources. Call after buildResources().
import { frTranslations } from './locale/fr.js';
import { frProjectTranslations } from './locale/fr-project.js';
import type { LocaleTranslations } from 'adminjs';
import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import { ALL_MODELS } from '../db/models/index.js';
import { enumTranslations } from './resources.js';
import { cardTranslations } from './card-actions.js';
import { TRAINING_TRANSLATIONS } from './training-resources.js';
import { JOURNAL_TRANSLATIONS } from './journal-resource.js';

export function backOfficeTranslations(): LocaleTranslations {
  const project = [frProjectTranslations, cardTranslations, TRAINING_TRANSLATIONS, JOURNAL_TRANSLATIONS, enumTranslations(), booleanTranslations()];
  return project.reduce((merged, part) => mergeDeep(merged, part), frTranslations) as LocaleTranslations;
}

/** « Oui » / « Non » for every boolean column (AdminJS looks up resources.<id>.labels.<property>.<true|false>). */
function booleanTranslations(): Record<string, unknown> {
  const resources: Record<string, { labels: Record<string, Record<string, string>> }> = {};
  for (const model of ALL_MODELS as unknown as ModelStatic<Model>[]) {
    for (const [name, attribute] of Object.entries(model.getAttributes())) {
      if ((attribute.type as { key?: string }).key !== DataTypes.BOOLEAN.key) continue;
      (resources[model.tableName] ??= { labels: {} }).labels[name] = { true: 'Oui', false: 'Non' };
    }
  }
  return { resources };
}

export function mergeDeep<T extends Record<string, unknown>>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = current && typeof current === 'object' && value && typeof value === 'object'
      ? mergeDeep(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out as T;
}
