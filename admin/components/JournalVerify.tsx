// « Vérifier la chaîne d’empreintes »: recomputes every entry's hash on the server (the same check as
// `npm run journal:verify`) and shows the result in French. The verification is journaled.
import React, { useState } from 'react';
import { Box, Button, H3, MessageBox, Text } from '@adminjs/design-system';
import { ApiClient, type ActionProps } from 'adminjs';

const api = new ApiClient();

const JournalVerify: React.FC<ActionProps> = ({ action, resource }) => {
  const [result, setResult] = useState<{ message: string; broken: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  const verify = async () => {
    setRunning(true);
    setError(null);
    try {
      const reply = (await api.resourceAction({ resourceId: resource.id, actionName: action.name, data: new FormData() })).data as {
        verification?: { message: string; brokenAt: string | null }; notice?: { message: string };
      };
      if (reply.verification) setResult({ message: reply.verification.message, broken: Boolean(reply.verification.brokenAt) });
      else setError(reply.notice?.message ?? 'La vérification n’a pas abouti.');
    } catch {
      setError('Le service ne répond pas : réessayez dans quelques instants.');
    } finally {
      setRunning(false);
    }
  };

  return (
    <Box variant="white" padding="xl">
      <H3>Vérifier la chaîne d’empreintes du journal</H3>
      <Text mb="lg">
        Chaque entrée du journal porte l’empreinte de son contenu et de l’entrée précédente. La vérification les recalcule toutes :
        une entrée modifiée ou supprimée directement dans la base de données rompt la chaîne à cet endroit. Sur un gros journal,
        elle peut prendre une minute.
      </Text>
      {error && <MessageBox mb="lg" variant="danger" message={error} />}
      {result && <MessageBox mb="lg" variant={result.broken ? 'danger' : 'success'} message={result.message} />}
      <Button type="button" variant="contained" disabled={running} onClick={verify}>{running ? 'Vérification en cours…' : 'Lancer la vérification'}</Button>
    </Box>
  );
};

export default JournalVerify;
