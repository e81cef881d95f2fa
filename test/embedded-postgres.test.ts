// The copy of a cluster that PostgreSQL keeps outside a folder private to root (infra/embedded-postgres.ts): a
// throwaway folder's copy is deleted with it (the soak's), and only the copy that names that very folder.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DATA_ROOT_FOR_ROOT, mirroredClusterHome, removeMirroredCluster } from '../infra/embedded-postgres.js';

describe('the copy of a private folder’s cluster', () => {
  let root: string;
  beforeEach(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'ac-mirrors-')); });
  afterEach(async () => { await rm(root, { recursive: true, force: true }); });

  const copyOf = async (dataDir: string, names: string) => {
    const home = mirroredClusterHome(dataDir, root);
    await mkdir(path.join(home, 'postgres'), { recursive: true });
    await writeFile(path.join(home, 'project'), `${names}\n`);
    return home;
  };

  it('lives under /var/lib/aidants-connect, one per folder', () => {
    expect(path.dirname(mirroredClusterHome('/tmp/ac-soak-a/cluster'))).toBe(DATA_ROOT_FOR_ROOT);
    expect(mirroredClusterHome('/tmp/ac-soak-a/cluster')).not.toBe(mirroredClusterHome('/tmp/ac-soak-b/cluster'));
  });

  it('is deleted when it names the folder, kept when it names another, and none is no error', async () => {
    const mine = await copyOf('/tmp/ac-soak-a/cluster', '/tmp/ac-soak-a/cluster/postgres');
    await removeMirroredCluster('/tmp/ac-soak-a/cluster', root);
    expect(existsSync(mine)).toBe(false);
    // A copy at that place naming another folder (a hash collision, a hand-made folder) is not ours to delete.
    const other = await copyOf('/tmp/ac-soak-b/cluster', '/srv/elsewhere/postgres');
    await removeMirroredCluster('/tmp/ac-soak-b/cluster', root);
    expect(existsSync(other)).toBe(true);
    await expect(removeMirroredCluster('/tmp/ac-soak-c/cluster', root)).resolves.toBeUndefined();
  });
});
