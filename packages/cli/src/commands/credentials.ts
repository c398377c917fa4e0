import { createCredentials, loadConfig, openSqliteStore } from '@cairn/server';
import { join } from 'node:path';

export const credentialsUsage = `cairn credentials create [--label TEXT] [--data-dir DIR]
cairn credentials list [--data-dir DIR]
cairn credentials revoke ACCESS_KEY [--data-dir DIR]

Manages the API keys the clearml SDK and agents log in with. Secrets are shown once
and stored hashed.
`;

function takeOption(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
}

export async function credentialsCommand(argv: string[]): Promise<number> {
  const args = [...argv];
  const label = takeOption(args, '--label') ?? 'created from the command line';
  const dataDir = takeOption(args, '--data-dir');
  const [action, key] = args;
  const config = loadConfig(dataDir ? ['--data-dir', dataDir] : [], process.env);
  const store = openSqliteStore(join(config.dataDir, 'cairn.sqlite'));
  try {
    if (action === 'create') {
      const admin = await store.users.findByName('admin');
      if (!admin) {
        console.error(`no admin user in ${config.dataDir}: start the server once first (cairn server)`);
        return 1;
      }
      const c = await createCredentials(store, admin.id, label);
      console.log(`CLEARML_API_ACCESS_KEY=${c.access_key}\nCLEARML_API_SECRET_KEY=${c.secret_key}`);
      return 0;
    }
    if (action === 'list') {
      for (const c of await store.credentials.list()) {
        console.log(`${c.access_key}  ${c.revoked ? 'revoked' : 'active '}  ${c.created}  ${c.label}`);
      }
      return 0;
    }
    if (action === 'revoke' && key) {
      if (await store.credentials.revoke(key)) {
        console.log(`revoked ${key}`);
        return 0;
      }
      console.error(`no active credentials with access key ${key}`);
      return 1;
    }
    process.stderr.write(credentialsUsage);
    return 2;
  } finally {
    await store.close();
  }
}
