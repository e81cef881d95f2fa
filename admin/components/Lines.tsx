// Shows a multi-line text property (one paragraph per line) on a record page: the aidants to train and the
// message thread of a habilitation request, composed by the show action's after-hook.
import React from 'react';
import { Box, Label, Text } from '@adminjs/design-system';
import { useTranslation, type ShowPropertyProps } from 'adminjs';

const Lines: React.FC<ShowPropertyProps> = ({ property, record }) => {
  const { translateProperty } = useTranslation();
  const value = String(record?.params?.[property.path] ?? '');
  return (
    <Box mb="xl">
      <Label>{translateProperty(property.label, property.resourceId)}</Label>
      {value ? value.split('\n').map((line, i) => <Text key={i} mb="sm">{line}</Text>) : <Text>—</Text>}
    </Box>
  );
};

export default Lines;
