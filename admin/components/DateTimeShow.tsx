// Overrides AdminJS's date field on record pages: French format, Europe/Paris.
import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type ShowPropertyProps } from 'adminjs';
import { frenchDateValue } from './french-date.js';

const DateTimeShow: React.FC<ShowPropertyProps> = ({ property, record }) => {
  const { translateProperty } = useTranslation();
  return (
    <ValueGroup label={translateProperty(property.label, property.resourceId)}>
      {frenchDateValue(record?.params?.[property.path], property.type)}
    </ValueGroup>
  );
};

export default DateTimeShow;
