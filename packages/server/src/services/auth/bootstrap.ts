import type { Store } from '../../store/store.js';
import { createCredentials, createUser, newPassword, type NewCredentials } from './accounts.js';

/**
 * The admin and the key pair made at first start, and the key pair fixed by
 * configuration (`CAIRN_ACCESS_KEY`/`CAIRN_SECRET_KEY`). A fixed key that was revoked
 * stays revoked: restarting with the same variables does not bring it back.
 */
export async function bootstrapIdentity(
  store: Store,
  opts: { adminPassword?: string; accessKey?: string; secretKey?: string },
  log: (line: string) => void = () => undefined,
): Promise<{ adminPassword?: string; credentials?: NewCredentials; fixed: boolean }> {
  let admin = await store.users.findByName('admin');
  let adminPassword: string | undefined;
  let credentials: NewCredentials | undefined;
  if (!admin) {
    const made = await createUser(store, 'admin', 'admin', opts.adminPassword ?? newPassword());
    admin = made.user;
    adminPassword = made.password;
    if (!opts.accessKey) credentials = await createCredentials(store, admin.id, 'created at first start');
  }
  if (opts.accessKey) {
    if (!opts.secretKey) throw new Error('CAIRN_ACCESS_KEY is set but CAIRN_SECRET_KEY is not');
    const existing = await store.credentials.get(opts.accessKey);
    if (existing?.revoked) {
      log(`the access key ${opts.accessKey} set by CAIRN_ACCESS_KEY was revoked; it stays revoked`);
    } else {
      await createCredentials(store, existing?.user ?? admin.id, existing?.label ?? 'from configuration', { accessKey: opts.accessKey, secretKey: opts.secretKey });
    }
  }
  return { adminPassword, credentials, fixed: Boolean(opts.accessKey) };
}
