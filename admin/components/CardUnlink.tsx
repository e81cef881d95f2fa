// « Dissocier la carte »: a mandatory reason (« Autre » needs a text); the card goes back to the stock.
import React, { useState } from 'react';
import { Box, Button, FormGroup, H3, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { sendAction } from './send-action.js';

const api = new ApiClient();

const CardUnlink: React.FC<ActionProps> = ({ action, record, resource }) => {
  const reasons = (action.custom?.reasons ?? {}) as Record<string, string>;
  const [reason, setReason] = useState('');
  const [other, setOther] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!reason) return setError('Choisissez la raison de la dissociation.');
    if (reason === 'autre' && !other.trim()) return setError('Précisez la raison : ce champ est obligatoire quand la raison indiquée est « Autre ».');
    const data = new FormData();
    data.append('reason', reason);
    data.append('other', other);
    await sendAction(() => api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data }), {
      setError, setSending, addNotice, fallbackUrl: `/admin/resources/${resource.id}/records/${record!.id}/show`,
    });
  };

  return (
    <Box as="form" onSubmit={submit} variant="white" padding="xl">
      <H3>Dissocier la carte {record?.title}</H3>
      <Text mb="lg">La carte ne permettra plus à son aidant de se connecter et retournera dans le stock.</Text>
      {error && <MessageBox mb="lg" variant="danger" message={error} />}
      <FormGroup as="fieldset">
        <Label as="legend" required>Raison de la dissociation</Label>
        {Object.entries(reasons).map(([key, label]) => (
          <Box key={key} mb="sm">
            <input type="radio" id={`reason-${key}`} name="reason" value={key} checked={reason === key} onChange={() => setReason(key)} />
            {' '}<label htmlFor={`reason-${key}`}>{label}</label>
          </Box>
        ))}
      </FormGroup>
      <FormGroup>
        <Label htmlFor="field-other" required={reason === 'autre'}>Précisions</Label>
        <TextArea id="field-other" name="other" width={1} rows={3} value={other}
          onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setOther(e.target.value)} />
      </FormGroup>
      <Button type="submit" variant="contained" disabled={sending}>{sending ? 'Envoi…' : 'Dissocier'}</Button>
    </Box>
  );
};

export default CardUnlink;
