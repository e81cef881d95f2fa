// Every workflow the worker registers.
export { habilitationRequestWorkflow } from './habilitation-request.js';
export { aidantOnboardingWorkflow } from './aidant-onboarding.js';
export { transactionalEmailWorkflow } from './transactional-email.js';
export { housekeepingWorkflow } from './housekeeping.js';
export { mandatWorkflow } from './mandat.js';
export { mandatReminderDigestWorkflow } from './mandat-reminder-digest.js';
export { usagerNotificationWorkflow } from './usager-notification.js';
export { anctWeeklyDigestWorkflow, referentAidantsWithoutCardWorkflow, statisticsSnapshotWorkflow } from './anct-view.js';
export { retentionWorkflow } from './retention.js';
export { inactiveAidantsWorkflow } from './inactive-aidants.js';
