// The usager is told of each démarche done on their behalf: the uses of one usager that come close together
// (the ones recorded while the notification waits its settling delay) are grouped in one e-mail.

export interface UsagerNotificationPolicy {
  /** After a use, the notification waits this long so that the usager's next uses join the same e-mail. */
  settleMs: number;
}

/** 15 minutes: prompt enough to alert a usager of a use they did not expect, few e-mails for a session of démarches. */
export const DEFAULT_USAGER_NOTIFICATION_POLICY: UsagerNotificationPolicy = { settleMs: 15 * 60_000 };

/** One notification workflow per usager at a time (an id, no personal data). */
export const workflowIdForUsagerNotification = (usagerId: string) => `usager-notifications/${usagerId}`;
