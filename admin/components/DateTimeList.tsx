// Overrides AdminJS's date cell in lists: French format, Europe/Paris.
import React from 'react';
import type { ShowPropertyProps } from 'adminjs';
import { frenchDateValue } from './french-date.js';

const DateTimeList: React.FC<ShowPropertyProps> = ({ property, record }) => (
  <span>{frenchDateValue(record?.params?.[property.path], property.type)}</span>
);

export default DateTimeList;
