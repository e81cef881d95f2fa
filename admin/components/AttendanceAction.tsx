// « Enregistrer les présences » of a training session: the session's registrations as checkboxes, sent in one
// action (admin/training-resources.ts records the training of each attendee), then the report per attendee.
import React, { useState } from 'react';
import { Box, Button, CheckBox, FormGroup, H3, Label, MessageBox, Text } from '@adminjs/design-system';
import { ApiClient, useTranslation, type ActionProps } from 'adminjs';

interface Choice { id: string; name: string; structure: string; status: string; recorded: boolean }
interface Line { registrationId: string; aidantName: string; outcome: 'recorded' | 'already' | 'refused'; message: string }

const api = new ApiClient();
const OUTCOMES: Record<Line['outcome'], { variant: 'success' | 'info' | 'danger'; label: string }> = {
  recorded: { variant: 'success', label: 'Enregistrée' },
  already: { variant: 'info', label: 'Déjà enregistrée' },
  refused: { variant: 'danger', label: 'Non enregistrée' },
};

const AttendanceAction: React.FC<ActionProps> = ({ action, record, resource }) => {
  const choices: Choice[] = JSON.parse(String(record?.params?.attendanceChoices ?? '[]'));
  const [checked, setChecked] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<Line[] | null>(null);
  const [sending, setSending] = useState(false);
  const { translateAction } = useTranslation();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    const attendees = choices.filter((c) => checked[c.id]).map((c) => c.id);
    if (attendees.length === 0) {
      setError('Cochez au moins un aidant présent à la session.');
      return;
    }
    setSending(true);
    try {
      const data = new FormData();
      data.append('attendees', attendees.join(','));
      const response = await api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data });
      const lines = (response.data as { report?: Line[] }).report;
      if (lines) setReport(lines);
      else setError(response.data.notice?.message ?? 'Les présences n’ont pas pu être enregistrées.');
    } catch {
      setError('Le service ne répond pas : réessayez dans quelques instants.');
    } finally {
      setSending(false);
    }
  };

  const back = `/admin/resources/${resource.id}/records/${record!.id}/show`;
  if (report) {
    return (
      <Box variant="white" padding="xl">
        <H3>{translateAction(action.label, resource.id)}</H3>
        <Text mb="lg">{record?.title}</Text>
        {report.map((line) => (
          <MessageBox key={line.registrationId} mb="default" variant={OUTCOMES[line.outcome].variant}
            message={`${OUTCOMES[line.outcome].label} — ${line.aidantName} : ${line.message}`} />
        ))}
        <Button as="a" href={back} variant="contained" mt="lg">Retour à la session</Button>
      </Box>
    );
  }

  return (
    <Box as="form" onSubmit={submit} variant="white" padding="xl">
      <H3>{translateAction(action.label, resource.id)}</H3>
      <Text mb="lg">{record?.title}</Text>
      <Text mb="lg">Cochez les aidants présents : la formation de chacun est enregistrée à la date de la session, et son compte est activé.</Text>
      {error && <MessageBox mb="lg" variant="danger" message={error} />}
      {choices.length === 0 && <Text mb="lg">Aucun aidant n’est inscrit à cette session.</Text>}
      {choices.map((choice) => (
        <FormGroup key={choice.id}>
          <CheckBox id={`attendee-${choice.id}`} checked={Boolean(checked[choice.id])} disabled={choice.recorded}
            onChange={() => setChecked({ ...checked, [choice.id]: !checked[choice.id] })} />
          <Label inline htmlFor={`attendee-${choice.id}`} ml="default">
            {choice.name} — {choice.structure} ({choice.recorded ? 'présence déjà enregistrée' : choice.status})
          </Label>
        </FormGroup>
      ))}
      <Button type="submit" variant="contained" disabled={sending || choices.length === 0}>{sending ? 'Envoi…' : 'Enregistrer les présences'}</Button>
    </Box>
  );
};

export default AttendanceAction;
