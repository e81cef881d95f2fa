// The ten démarches (périmètres) a mandat can cover, with their French labels.
// Keys are the identifiers exchanged with FranceConnect in `rep_scope`.

export const DEMARCHES = {
  papiers: { titre: 'Papiers - Citoyenneté - Élections', titreCourt: 'Papiers' },
  famille: { titre: 'Famille - Scolarité', titreCourt: 'Famille' },
  social: { titre: 'Social - Santé', titreCourt: 'Social' },
  travail: { titre: 'Travail - Formation', titreCourt: 'Travail' },
  logement: { titre: 'Logement', titreCourt: 'Logement' },
  transports: { titre: 'Transports - Mobilité', titreCourt: 'Transports' },
  argent: { titre: 'Argent - Impôts - Consommation', titreCourt: 'Argent' },
  justice: { titre: 'Justice', titreCourt: 'Justice' },
  etranger: { titre: 'Étranger - Europe', titreCourt: 'Étranger' },
  loisirs: { titre: 'Loisirs - Sport - Culture', titreCourt: 'Loisirs' },
} as const;

export type Demarche = keyof typeof DEMARCHES;
export const DEMARCHE_KEYS = Object.keys(DEMARCHES) as Demarche[];

export function isDemarche(value: unknown): value is Demarche {
  return typeof value === 'string' && Object.hasOwn(DEMARCHES, value);
}
