// The région of a département (code as the project stores it: '17', '2A', '971'), for the ANCT's figures and
// digests, which it reads by région. Pure table: a structure stores its département, never its région.
const REGION_DEPARTMENTS: Record<string, readonly string[]> = {
  'Auvergne-Rhône-Alpes': ['01', '03', '07', '15', '26', '38', '42', '43', '63', '69', '73', '74'],
  'Bourgogne-Franche-Comté': ['21', '25', '39', '58', '70', '71', '89', '90'],
  Bretagne: ['22', '29', '35', '56'],
  'Centre-Val de Loire': ['18', '28', '36', '37', '41', '45'],
  Corse: ['2A', '2B', '20'],
  'Grand Est': ['08', '10', '51', '52', '54', '55', '57', '67', '68', '88'],
  'Hauts-de-France': ['02', '59', '60', '62', '80'],
  'Île-de-France': ['75', '77', '78', '91', '92', '93', '94', '95'],
  Normandie: ['14', '27', '50', '61', '76'],
  'Nouvelle-Aquitaine': ['16', '17', '19', '23', '24', '33', '40', '47', '64', '79', '86', '87'],
  Occitanie: ['09', '11', '12', '30', '31', '32', '34', '46', '48', '65', '66', '81', '82'],
  'Pays de la Loire': ['44', '49', '53', '72', '85'],
  'Provence-Alpes-Côte d’Azur': ['04', '05', '06', '13', '83', '84'],
  Guadeloupe: ['971'],
  Martinique: ['972'],
  Guyane: ['973'],
  'La Réunion': ['974'],
  Mayotte: ['976'],
  'Collectivités d’outre-mer': ['975', '977', '978', '986', '987', '988'],
};

/** Where a structure whose département is missing or unknown is counted. */
export const UNKNOWN_REGION = 'Région non renseignée';

/** Every région, in the order people read them (alphabetical, French collation). */
export const REGIONS: readonly string[] = Object.keys(REGION_DEPARTMENTS).sort((a, b) => a.localeCompare(b, 'fr'));

/** département code → région name, e.g. { '17': 'Nouvelle-Aquitaine' } (also handed to SQL as JSON). */
export const DEPARTMENT_REGIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(REGION_DEPARTMENTS).flatMap(([region, departments]) => departments.map((d) => [d, region])),
);

export function regionOfDepartment(code: string | null | undefined): string {
  return (code && DEPARTMENT_REGIONS[code.trim().toUpperCase()]) || UNKNOWN_REGION;
}

/** Orders région names as REGIONS does, the unknown région last. */
export function compareRegions(a: string, b: string): number {
  if (a === b) return 0;
  if (a === UNKNOWN_REGION) return 1;
  if (b === UNKNOWN_REGION) return -1;
  return a.localeCompare(b, 'fr');
}
