// « Exporter en CSV » of the users (aidants), structures and habilitation requests: the download link with
// those of the list's filters the export applies (AdminJS passes the list's query along); the others are
// named, so that nobody believes the file is filtered by them. The file streams from GET /admin/exports/<kind>.csv.
import React from 'react';
import { Box, H3, Text } from '@adminjs/design-system';
import { CsvDownload } from './csv-download.js';
import type { ActionProps } from 'adminjs';

interface ExportCustom { kind: string; title: string; href: string; filters: Record<string, string> }

const DESCRIPTIONS: Record<string, string> = {
  aidants: 'Une ligne par aidant et par structure : structure, carte, date de formation, mandats créés et actifs, démarches effectuées.',
  structures: 'Une ligne par structure : habilitation, nombres d’aidants et de référents actifs, mandats actifs.',
  habilitation_requests: 'Une ligne par demande : statut, dates, structure, demandeur et référent, nombre d’aidants à former.',
};

const DataExport: React.FC<ActionProps> = ({ action }) => {
  const custom = action.custom as ExportCustom;
  const current = new URLSearchParams(window.location.search);
  const applied = new URLSearchParams();
  const ignored: string[] = [];
  for (const [key, value] of current) {
    if (!key.startsWith('filters.') || !value) continue;
    const name = key.slice('filters.'.length);
    if (Object.hasOwn(custom.filters, name)) applied.append(key, value); else ignored.push(name);
  }
  const names = [...applied.keys()].map((key) => custom.filters[key.slice('filters.'.length)]);
  const href = `${custom.href}${names.length > 0 ? `?${applied.toString()}` : ''}`;
  return (
    <Box variant="white" padding="xl">
      <H3>{`Exporter en CSV : ${custom.title}`}</H3>
      <Text mb="lg">{DESCRIPTIONS[custom.kind]}</Text>
      <Text mb="lg">
        {names.length > 0
          ? `Filtres appliqués : ${names.join(', ')}.`
          : 'Aucun filtre n’est appliqué : le fichier contient tout. Pour en exporter une partie, filtrez la liste puis revenez ici.'}
        {` Filtres possibles pour cet export : ${Object.values(custom.filters).join(', ')} (plusieurs départements : séparez-les par des virgules).`}
      </Text>
      {ignored.length > 0 && (
        <Text mb="lg">{`Les autres filtres de la liste (${ignored.join(', ')}) ne s’appliquent pas à l’export.`}</Text>
      )}
      <CsvDownload href={href} />
    </Box>
  );
};

export default DataExport;
