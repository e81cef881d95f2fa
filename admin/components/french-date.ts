// Dates as French people read them, in Europe/Paris whatever the browser's time zone: 30/11/2026 00:43.
const PARTS = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

export function frenchDateValue(value: unknown, type: string): string {
  if (value === null || value === undefined || value === '') return '';
  if (type === 'date') {
    // A calendar date (no time zone): shown as stored.
    const [year, month, day] = String(value).slice(0, 10).split('-');
    return `${day}/${month}/${year}`;
  }
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  const part = Object.fromEntries(PARTS.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.day}/${part.month}/${part.year} ${part.hour}:${part.minute}`;
}
