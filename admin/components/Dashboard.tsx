// The back-office home: what waits for the ANCT (comité, trainings, lapsed onboardings, shipments), then the
// statistics of the latest nightly snapshot.
import React, { useEffect, useState } from 'react';
import { Box, H2, H4, Text, Link } from '@adminjs/design-system';
import { ApiClient } from 'adminjs';
import { StatisticsCharts, type StatisticsSnapshot } from './StatisticsCharts.js';

interface DashboardData {
  awaitingComite: number;
  overdueDays: number;
  overdueRequests: number;
  overdueRequestsFilter: string;
  oldestWaitingDays: number | null;
  longestWaiting: { id: string; name: string; days: number }[];
  trainingsDueThisMonth: number;
  trainingsDueThisMonthFilter: string;
  lapsedOnboardings: number;
  shipmentsInProgress: number;
  statistics: StatisticsSnapshot | null;
  onboardingStepLabels: Record<string, string>;
}

const api = new ApiClient();

const Tile: React.FC<{ title: string; value: React.ReactNode; href: string; detail?: string }> = ({ title, value, href, detail }) => (
  <Box variant="white" padding="xl" mr="lg" mb="lg" flexGrow={1} style={{ minWidth: 220 }}>
    <H4>{title}</H4>
    <H2>{value}</H2>
    {detail && <Text variant="sm">{detail}</Text>}
    <Link href={href}>Voir la liste</Link>
  </Box>
);

const Dashboard: React.FC = () => {
  const [data, setData] = useState<DashboardData | null>(null);
  useEffect(() => { api.getDashboard().then((response) => setData(response.data as DashboardData)); }, []);
  if (!data) return <Box padding="xl"><Text>Chargement…</Text></Box>;
  return (
    <Box padding="xl">
      <H2>Tableau de bord de l’ANCT</H2>
      <Box flex flexDirection="row" flexWrap="wrap">
        <Tile title="Demandes en attente du comité" value={data.awaitingComite} href="/admin/resources/habilitation_requests?filters.status=awaiting_comite&sortBy=submittedAt&direction=asc"
          detail={data.oldestWaitingDays !== null ? `La plus ancienne attend depuis ${data.oldestWaitingDays} jours.` : 'Aucune demande en attente.'} />
        <Tile title={`En attente depuis plus de ${data.overdueDays} jours`} value={data.overdueRequests}
          href={`/admin/resources/habilitation_requests?${data.overdueRequestsFilter}`} />
        <Tile title="Formations à suivre ce mois-ci" value={data.trainingsDueThisMonth} href={`/admin/resources/aidant_onboardings?${data.trainingsDueThisMonthFilter}`} />
        <Tile title="Délais de formation dépassés" value={data.lapsedOnboardings} href="/admin/resources/aidant_onboardings?filters.status=lapsed" />
        <Tile title="Envois de cartes en cours" value={data.shipmentsInProgress} href="/admin/resources/card_shipments" />
      </Box>
      <StatisticsCharts statistics={data.statistics} stepLabels={data.onboardingStepLabels} />
      {data.longestWaiting.length > 0 && (
        <Box variant="white" padding="xl">
          <H4>Demandes qui attendent depuis le plus longtemps</H4>
          {data.longestWaiting.map((r) => (
            <Text key={r.id}><Link href={`/admin/resources/habilitation_requests/records/${r.id}/show`}>{r.name}</Link> — {r.days} jours</Text>
          ))}
        </Box>
      )}
    </Box>
  );
};

export default Dashboard;
