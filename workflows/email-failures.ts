// An e-mail that can never be sent (render error, no recipient, permanent SMTP rejection) fails its activity
// without retry; the outbox has marked it `failed` and the housekeeping reports it. A lifecycle must go on
// all the same: for it, such an e-mail is an outcome ('failed'), not an error that would fail the workflow.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The failure type the sendEmail activity uses for an e-mail that can never be sent (services/outbox.ts). */
export const EMAIL_NOT_DELIVERABLE = 'EmailNotDeliverableError';

export async function emailOutcome(sending: Promise<string>): Promise<string> {
  try {
    return await sending;
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === EMAIL_NOT_DELIVERABLE) return 'failed';
    throw error;
  }
}

/** The activities of a lifecycle, whose sendEmail resolves to 'failed' instead of failing the workflow. */
export function withEmailFailuresAsOutcomes<A extends { sendEmail(...args: never[]): Promise<string> }>(acts: A): A {
  return new Proxy(acts, {
    get(target, property, receiver) {
      if (property !== 'sendEmail') return Reflect.get(target, property, receiver);
      return (...args: Parameters<A['sendEmail']>) => emailOutcome(target.sendEmail(...args));
    },
  });
}
