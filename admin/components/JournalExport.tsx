// « Exporter en CSV »: the download link of the journal with the filters of the list it was opened from (AdminJS
// passes the list's query along). The file itself streams from GET /admin/journal/export.csv.
import React from 'react';
import { Box, H3, Text } from '@adminjs/design-system';
import { CsvDownload } from './csv-download.js';
import type { ActionProps } from 'adminjs';

const JournalExport: React.FC<ActionProps> = () => {
  const current = new URLSearchParams(window.location.search);
  const filters = new URLSearchParams();
  for (const [key, value] of current) if (key.startsWith('filters.') && value) filters.append(key, value);
  const count = [...filters.keys()].length;
  const href = `/admin/journal/export.csv${count > 0 ? `?${filters.toString()}` : ''}`;
  return (
    <Box variant="white" padding="xl">
      <H3>Exporter le journal en CSV</H3>
      <Text mb="lg">
        {count > 0
          ? `Le fichier contient les entrées qui correspondent aux ${count > 1 ? `${count} filtres` : 'filtre'} de la liste.`
          : 'Aucun filtre n’est appliqué : le fichier contient tout le journal. Pour en exporter une partie, filtrez la liste puis revenez ici.'}
      </Text>
      <CsvDownload href={href} />
    </Box>
  );
};

export default JournalExport;
