// The result of the journal's chain verification in French: the back-office action and `npm run journal:verify`.

export interface ChainVerification {
  checked: number;
  /** The id of the first entry whose hash or link does not match, or neither sealed nor pending; null when the chain is intact. */
  brokenAt: string | null;
}

export function describeVerification({ checked, brokenAt }: ChainVerification): string {
  const entries = `${checked.toLocaleString('fr-FR')} ${checked > 1 ? 'entrées vérifiées' : 'entrée vérifiée'}`;
  return brokenAt
    ? `Chaîne d’empreintes ROMPUE à l’entrée n° ${brokenAt} (${entries}) : cette entrée ou la précédente a été modifiée ou supprimée hors de l’application.`
    : `Chaîne d’empreintes intacte : ${entries}, aucune n’a été modifiée ni supprimée.`;
}
