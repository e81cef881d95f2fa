// A small form for the back-office actions that move a lifecycle (comité decisions, training recorded,
// shipments…). Fields come from the action's `custom.fields`; the action handler talks to the workflow.
import React, { useState } from 'react';
import { Box, Button, FormGroup, H3, Input, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { ApiClient, useNotice, useTranslation, type ActionProps } from 'adminjs';
import { sendAction } from './send-action.js';

interface Field {
  name: string;
  label: string;
  type: 'textarea' | 'date' | 'text';
  required?: boolean;
  hint?: string;
}

const api = new ApiClient();

const LifecycleAction: React.FC<ActionProps> = ({ action, record, resource }) => {
  const fields: Field[] = (action.custom?.fields as Field[]) ?? [];
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const { translateAction } = useTranslation();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    const missing = fields.find((f) => f.required && !(values[f.name] ?? '').trim());
    if (missing) {
      setError(`Le champ « ${missing.label} » est obligatoire.`);
      return;
    }
    const data = new FormData();
    for (const field of fields) data.append(field.name, values[field.name] ?? '');
    await sendAction(() => api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data }), {
      setError, setSending, addNotice, fallbackUrl: `/admin/resources/${resource.id}/records/${record!.id}/show`,
    });
  };

  return (
    <Box as="form" onSubmit={submit} variant="white" padding="xl">
      <H3>{translateAction(action.label, resource.id)}</H3>
      <Text mb="lg">{record?.title}</Text>
      {error && <MessageBox mb="lg" variant="danger" message={error} />}
      {fields.map((field) => (
        <FormGroup key={field.name}>
          <Label htmlFor={`field-${field.name}`} required={field.required}>{field.label}</Label>
          {field.type === 'textarea' ? (
            <TextArea id={`field-${field.name}`} name={field.name} width={1} rows={4} value={values[field.name] ?? ''}
              onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setValues({ ...values, [field.name]: e.target.value })} />
          ) : (
            <Input id={`field-${field.name}`} name={field.name} type={field.type} width={1} value={values[field.name] ?? ''}
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => setValues({ ...values, [field.name]: e.target.value })} />
          )}
          {field.hint && <Text variant="sm" mt="sm">{field.hint}</Text>}
        </FormGroup>
      ))}
      <Button type="submit" variant="contained" disabled={sending}>{sending ? 'Envoi…' : 'Confirmer'}</Button>
    </Box>
  );
};

export default LifecycleAction;
