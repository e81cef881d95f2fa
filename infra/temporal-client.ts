// One Temporal client per process, created at start-up and injected.
import { Client, Connection } from '@temporalio/client';

export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  return new Client({ connection, namespace });
}
