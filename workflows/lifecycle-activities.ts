// The activities of the lifecycles, with their timeouts. Database activities finish in milliseconds: a short
// start-to-close timeout means that an activity task lost with a worker that shut down just as the task was
// handed to it (the SDK interrupts its poll: temporalio/sdk-rust#1080) is retried within seconds, not a
// minute later. Sending an e-mail talks to SMTP (timeouts up to 40 s: services/mailer.ts) and keeps a minute.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { withEmailFailuresAsOutcomes } from './email-failures.js';

const retry: ActivityOptions['retry'] = { initialInterval: '2 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 };

export function lifecycleActivities(): Activities {
  const database = proxyActivities<Activities>({ startToCloseTimeout: '15 seconds', retry });
  const { sendEmail } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry });
  return withEmailFailuresAsOutcomes(new Proxy(database, {
    get: (target, property, receiver) => (property === 'sendEmail' ? sendEmail : Reflect.get(target, property, receiver)),
  }));
}
