import { createCredentials } from '@cairn/server';
import { takeOption, withLocalStore } from './local-store.js';

export const credentialsUsage = `cairn credentials create [--label TEXT] [--user NAME] [--data-dir DIR | --database URL]
cairn credentials list [--data-dir DIR | --database URL]
cairn credentials revoke ACCESS_KEY [--data-dir DIR | --database URL]

Manages the API keys the clearml SDK and agents log in with. A key acts as its user
(default admin) with that user's role. Secrets are shown once and stored hashed.
`;

export async function credentialsCommand(argv: string[]): Promise<number> {
  const args = [...argv];
  const label = takeOption(args, '--label') ?? 'created from the command line';
  const userName = takeOption(args, '--user') ?? 'admin';
  return withLocalStore(args, async (store, dataDir) => {
    const [action, key] = args;
    if (action === 'create') {
      const user = await store.users.findByName(userName);
      if (!user) {
        console.error(userName === 'admin'
          ? `no admin user in ${dataDir}: start the server once first (cairn server)`
          : `no user named ${userName} (cairn users list)`);
        return 1;
      }
      const c = await createCredentials(store, user.id, label);
      console.log(`CLEARML_API_ACCESS_KEY=${c.access_key}\nCLEARML_API_SECRET_KEY=${c.secret_key}`);
      return 0;
    }
    if (action === 'list') {
      const names = new Map((await store.users.find()).map((u) => [u.id, u.name]));
      for (const c of await store.credentials.list()) {
        console.log(`${c.access_key}  ${c.revoked ? 'revoked' : 'active '}  ${(names.get(c.user) ?? c.user).padEnd(16)}  ${c.created}  ${c.label}`);
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
  });
}
