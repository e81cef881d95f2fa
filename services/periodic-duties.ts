// Every periodic duty of the service is a Temporal schedule declared here, in code: visible (and pausable) in
// the Temporal UI, created or brought up to date by each start of the web server (services/lifecycles.ts).
// Add a duty by adding a line; its workflow takes no arguments and reads the time from Temporal.
import type { ScheduleOptions } from '@temporalio/client';
import type { Duration } from '@temporalio/common';

export interface PeriodicDuty {
  /** The schedule's id, shown in the Temporal UI. */
  id: string;
  /** The workflow each run starts (exported by workflows/index.ts), with no arguments. */
  workflowType: string;
  /** What the duty is for, in French (the schedule's memo, read in the Temporal UI). */
  description: string;
  spec: ScheduleOptions['spec'];
  /** How late a missed run (server down) is still run once on recovery. */
  catchupWindow: Duration;
}

export const PERIODIC_DUTIES: readonly PeriodicDuty[] = [
  {
    id: 'housekeeping',
    workflowType: 'housekeepingWorkflow',
    description: 'Ménage horaire : liens et connexions expirés, e-mails jamais partis ou bloqués.',
    spec: { intervals: [{ every: '1 hour' }] },
    catchupWindow: '1 hour',
  },
  {
    id: 'anct-weekly-digest',
    workflowType: 'anctWeeklyDigestWorkflow',
    description: 'Chaque lundi : les aidants à former demandés par les référents la semaine passée, par région, à l’équipe ANCT (rien si aucun).',
    spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 7, minute: 30 }], timezone: 'Europe/Paris' },
    catchupWindow: '1 day',
  },
  {
    id: 'referent-aidants-without-card',
    workflowType: 'referentAidantsWithoutCardWorkflow',
    description: 'Chaque mois : à chaque référent, les aidants de sa structure sans carte ni application validée (rien si tous en ont).',
    spec: { calendars: [{ dayOfMonth: 2, hour: 9, minute: 0 }], timezone: 'Europe/Paris' },
    catchupWindow: '3 days',
  },
  {
    id: 'statistics-snapshot',
    workflowType: 'statisticsSnapshotWorkflow',
    description: 'Chaque nuit : les statistiques du tableau de bord (structures et aidants par région, mandats et démarches par semaine, demandes et habilitations en cours).',
    spec: { calendars: [{ hour: 4, minute: 30 }], timezone: 'Europe/Paris' },
    catchupWindow: '1 day',
  },
  {
    id: 'retention',
    workflowType: 'retentionWorkflow',
    description: 'Conservation des données, chaque nuit : suppression des mandats terminés depuis 6 ans et des usagers sans mandat, anonymisation des comptes d’aidants inactifs (durées : RETENTION_*).',
    spec: { calendars: [{ hour: 3, minute: 15 }], timezone: 'Europe/Paris' },
    catchupWindow: '1 day',
  },
  {
    id: 'inactivity',
    workflowType: 'inactiveAidantsWorkflow',
    description: 'Chaque nuit : aidants sans connexion avertis puis désactivés, aidants sans activité encouragés, brouillons de demande relancés puis supprimés, contenus des e-mails envoyés effacés.',
    spec: { calendars: [{ hour: 3, minute: 40 }], timezone: 'Europe/Paris' },
    catchupWindow: '1 day',
  },
];
