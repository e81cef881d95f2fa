// « Aperçu de la conservation »: what the daily retention would delete if it ran now (admin/retention-preview.ts),
// without deleting anything.
import React, { useEffect, useState } from 'react';
import { Box, H3, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { ApiClient, type ActionProps } from 'adminjs';

const api = new ApiClient();

interface View { at: string; rules: string; kinds: { key: string; label: string; count: number; oldest: string | null }[] }

const RetentionPreview: React.FC<ActionProps> = ({ action, resource }) => {
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.resourceAction({ resourceId: resource.id, actionName: action.name })
      .then((reply) => {
        const data = reply.data as { retention?: View; notice?: { message: string } };
        if (data.retention) setView(data.retention);
        else setError(data.notice?.message ?? 'L’aperçu n’a pas pu être calculé.');
      })
      .catch(() => setError('Le service ne répond pas : réessayez dans quelques instants.'));
  }, [resource.id, action.name]);

  return (
    <Box variant="white" padding="xl">
      <H3>Aperçu de la conservation des données</H3>
      <Text mb="lg">
        Ce que la purge quotidienne supprimerait si elle avait lieu maintenant. Rien n’est supprimé ici.
        {view ? ` ${view.rules}` : ''}
      </Text>
      {error && <MessageBox mb="lg" variant="danger" message={error} />}
      {!view && !error && <Text>Calcul en cours…</Text>}
      {view && (
        <Table>
          <TableHead>
            <TableRow><TableCell>Données</TableCell><TableCell>À supprimer</TableCell><TableCell>Plus ancienne date</TableCell></TableRow>
          </TableHead>
          <TableBody>
            {view.kinds.map((kind) => (
              <TableRow key={kind.key}>
                <TableCell>{kind.label}</TableCell>
                <TableCell>{kind.count.toLocaleString('fr-FR')}</TableCell>
                <TableCell>{kind.oldest ?? '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
};

export default RetentionPreview;
