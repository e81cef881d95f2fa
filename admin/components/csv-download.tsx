// The end of every « Exporter en CSV » page: what the file is, the care personal data asks for, and the link.
import React from 'react';
import { Button, Text } from '@adminjs/design-system';

export const CsvDownload: React.FC<{ href: string }> = ({ href }) => (
  <>
    <Text mb="lg">
      Le fichier est au format CSV (séparateur point-virgule, UTF-8), lisible par Excel et LibreOffice. Il contient des données
      personnelles : conservez-le en lieu sûr et supprimez-le dès qu’il n’est plus utile. L’export est inscrit au journal.
    </Text>
    <Button as="a" variant="contained" href={href} download>Télécharger le fichier CSV</Button>
  </>
);
