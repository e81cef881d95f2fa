// The dashboard's statistics, drawn from the latest nightly snapshot: simple SVG bar charts a person reads at a
// glance, each with a French title, a text alternative (role="img" + aria-label, which names the title and every
// figure: aria-labelledby would override it) and its figures as a table.
import React from 'react';
import { Box, H3, H4, Text } from '@adminjs/design-system';

export interface RegionFigures { region: string; structures: number; aidants: number; awaitingComite: number; onboardings: Record<string, number> }
export interface StatisticsSnapshot {
  day: string;
  takenAt: string;
  figures: {
    regions: RegionFigures[];
    totals: { structures: number; aidants: number; awaitingComite: number; onboardings: Record<string, number> };
    weeks: { week: string; mandats: number; demarches: number }[];
  };
}

const BLUE = '#000091';
const number = (n: number) => n.toLocaleString('fr-FR');
const frenchDay = (day: string) => { const [y, m, d] = day.split('-'); return `${d}/${m}/${y}`; };

let chartCount = 0;

/** Horizontal bars: one row per label, its value written at the end of the bar. */
const HorizontalBars: React.FC<{ title: string; rows: { label: string; value: number }[]; unit: string }> = ({ title, rows, unit }) => {
  const id = React.useMemo(() => `chart-${(chartCount += 1)}`, []);
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowHeight = 22;
  const labelWidth = 230;
  const barWidth = 320;
  const alt = `${title} : ${rows.map((r) => `${r.label} ${number(r.value)}`).join(', ')}.`;
  return (
    <Box variant="white" padding="lg" mr="lg" mb="lg" style={{ minWidth: 600 }}>
      <H4 id={id}>{title}</H4>
      <svg role="img" aria-label={alt} width={labelWidth + barWidth + 70} height={rows.length * rowHeight + 4}>
        {rows.map((r, i) => (
          <g key={r.label} transform={`translate(0, ${i * rowHeight})`}>
            <text x={labelWidth - 8} y={rowHeight / 2 + 4} textAnchor="end" fontSize="13" fill="#161616">{r.label}</text>
            <rect x={labelWidth} y={3} height={rowHeight - 6} width={Math.round((r.value / max) * barWidth)} fill={BLUE} />
            <text x={labelWidth + Math.round((r.value / max) * barWidth) + 6} y={rowHeight / 2 + 4} fontSize="13" fill="#161616">{number(r.value)}</text>
          </g>
        ))}
      </svg>
      <FiguresTable caption={title} head={['', unit]} rows={rows.map((r) => [r.label, number(r.value)])} />
    </Box>
  );
};

/** Vertical bars, one per week; the month is written under the first week of each month. */
const WeeklyBars: React.FC<{ title: string; weeks: { week: string; value: number }[]; unit: string }> = ({ title, weeks, unit }) => {
  const id = React.useMemo(() => `chart-${(chartCount += 1)}`, []);
  const max = Math.max(1, ...weeks.map((w) => w.value));
  const step = 14;
  const height = 140;
  const total = weeks.reduce((sum, w) => sum + w.value, 0);
  const last = weeks[weeks.length - 1];
  const alt = `${title} : ${number(total)} en ${weeks.length} semaines, ${number(last?.value ?? 0)} la semaine du ${last ? frenchDay(last.week) : ''}, au plus ${number(max)} en une semaine.`;
  return (
    <Box variant="white" padding="lg" mr="lg" mb="lg">
      <H4 id={id}>{title}</H4>
      <Text variant="sm">Au plus {number(max)} en une semaine ; {number(total)} au total sur 12 mois.</Text>
      <svg role="img" aria-label={alt} width={weeks.length * step + 40} height={height + 36}>
        <line x1={0} x2={weeks.length * step} y1={height} y2={height} stroke="#666" />
        <text x={weeks.length * step + 4} y={12} fontSize="11" fill="#161616">{number(max)}</text>
        {weeks.map((w, i) => {
          const h = Math.round((w.value / max) * (height - 10));
          const newMonth = i === 0 || w.week.slice(5, 7) !== weeks[i - 1].week.slice(5, 7);
          return (
            <g key={w.week}>
              <rect x={i * step + 1} y={height - h} width={step - 3} height={h} fill={BLUE}><title>{`Semaine du ${frenchDay(w.week)} : ${number(w.value)}`}</title></rect>
              {newMonth && <text x={i * step} y={height + 14} fontSize="10" fill="#161616">{w.week.slice(5, 7)}/{w.week.slice(2, 4)}</text>}
            </g>
          );
        })}
      </svg>
      <FiguresTable caption={title} head={['Semaine du', unit]} rows={weeks.map((w) => [frenchDay(w.week), number(w.value)])} />
    </Box>
  );
};

/** The chart's figures, as a table to read or copy (folded by default). */
const FiguresTable: React.FC<{ caption: string; head: string[]; rows: string[][] }> = ({ caption, head, rows }) => (
  <details>
    <summary>Voir les données en tableau</summary>
    <table>
      <caption style={{ textAlign: 'left' }}>{caption}</caption>
      <thead><tr>{head.map((h) => <th key={h} scope="col" style={{ textAlign: 'left', paddingRight: 16 }}>{h}</th>)}</tr></thead>
      <tbody>{rows.map((r) => <tr key={r[0]}><th scope="row" style={{ textAlign: 'left', fontWeight: 'normal', paddingRight: 16 }}>{r[0]}</th>{r.slice(1).map((c, i) => <td key={i}>{c}</td>)}</tr>)}</tbody>
    </table>
  </details>
);

export const StatisticsCharts: React.FC<{ statistics: StatisticsSnapshot | null; stepLabels: Record<string, string> }> = ({ statistics, stepLabels }) => {
  if (!statistics) {
    return (
      <Box variant="white" padding="xl" mb="lg">
        <H3>Statistiques</H3>
        <Text>Aucune statistique n’a encore été calculée : elles le sont chaque nuit (tâche « statistics-snapshot »).</Text>
      </Box>
    );
  }
  const { regions, totals, weeks } = statistics.figures;
  const shown = regions.filter((r) => r.structures > 0 || r.aidants > 0 || r.region !== 'Région non renseignée');
  return (
    <Box mb="lg">
      <H3>Statistiques du {frenchDay(statistics.day)}</H3>
      <Text mb="lg">
        {number(totals.structures)} structures habilitées, {number(totals.aidants)} aidants actifs, {number(totals.awaitingComite)} demandes en attente du comité.
      </Text>
      <Box flex flexDirection="row" flexWrap="wrap">
        <HorizontalBars title="Structures habilitées par région" unit="Structures" rows={shown.map((r) => ({ label: r.region, value: r.structures }))} />
        <HorizontalBars title="Aidants actifs par région" unit="Aidants" rows={shown.map((r) => ({ label: r.region, value: r.aidants }))} />
        <WeeklyBars title="Mandats créés par semaine (12 derniers mois)" unit="Mandats" weeks={weeks.map((w) => ({ week: w.week, value: w.mandats }))} />
        <WeeklyBars title="Démarches réalisées par semaine (12 derniers mois)" unit="Démarches" weeks={weeks.map((w) => ({ week: w.week, value: w.demarches }))} />
        <HorizontalBars title="Habilitations d’aidants par étape" unit="Aidants"
          rows={Object.entries(stepLabels).map(([status, label]) => ({ label, value: totals.onboardings[status] ?? 0 }))} />
        <HorizontalBars title="Demandes d’habilitation en attente du comité, par région" unit="Demandes"
          rows={shown.filter((r) => r.awaitingComite > 0).map((r) => ({ label: r.region, value: r.awaitingComite }))} />
      </Box>
    </Box>
  );
};
