// « Importer des cartes »: reads the chosen CSV in the browser (size checked first) and posts its text; a
// refused file lists each faulty line as the server named it. Nothing is imported unless every line is right.
import React, { useState } from 'react';
import { Box, Button, FormGroup, H3, Label, MessageBox, Text } from '@adminjs/design-system';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { sendAction } from './send-action.js';

const api = new ApiClient();

const CardImport: React.FC<ActionProps> = ({ action, resource }) => {
  const maxBytes = Number(action.custom?.maxBytes ?? 2_000_000);
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lines, setLines] = useState<string[]>([]);
  const [count, setCount] = useState(0);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    setLines([]);
    if (!file) return setError('Choisissez le fichier CSV des cartes.');
    if (file.size > maxBytes) return setError(`Le fichier dépasse ${maxBytes / 1_000_000} Mo : découpez-le en plusieurs fichiers.`);
    const data = new FormData();
    data.append('csv', await file.text());
    await sendAction(() => api.resourceAction({ resourceId: resource.id, actionName: action.name, data }), {
      setError, setSending, addNotice, fallbackUrl: `/admin/resources/${resource.id}`,
      onRefused: (reply) => {
        setLines((reply.importErrors as string[] | undefined) ?? []);
        setCount((reply.importErrorCount as number | undefined) ?? 0);
      },
    });
  };

  return (
    <Box as="form" onSubmit={submit} variant="white" padding="xl">
      <H3>Importer des cartes</H3>
      <Text mb="lg">
        Un fichier CSV, une carte par ligne : le numéro de série puis la graine en hexadécimal (40 caractères pour les cartes habituelles),
        séparés par une virgule ou un point-virgule ; la première ligne peut être l’en-tête « serial_number,seed ». Un fichier dont une
        ligne est fausse est refusé en entier, avec chaque ligne en erreur.
      </Text>
      {error && <MessageBox mb="lg" variant="danger" message={error} />}
      {lines.length > 0 && (
        <Box mb="lg" as="ul" aria-label="Lignes en erreur">
          {lines.map((line, i) => <li key={i}><Text>{line}</Text></li>)}
          {count > lines.length && <li><Text>… et {count - lines.length} autres lignes en erreur.</Text></li>}
        </Box>
      )}
      <FormGroup>
        <Label htmlFor="field-csv" required>Fichier CSV des cartes ({maxBytes / 1_000_000} Mo au plus)</Label>
        <input id="field-csv" name="csv" type="file" accept=".csv,text/csv,text/plain"
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => setFile(e.target.files?.[0] ?? null)} />
      </FormGroup>
      <Button type="submit" variant="contained" disabled={sending}>{sending ? 'Import en cours…' : 'Importer'}</Button>
    </Box>
  );
};

export default CardImport;
