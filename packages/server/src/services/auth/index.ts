import { Errors, newId, type Identity } from '@cairn/protocol';
import { hashSecret, randomKey } from '../../auth/secret-hash.js';
import { ApiError } from '../../http/api-error.js';
import type { CallContext } from '../../http/endpoints.js';
import type { Credential, Store } from '../../store/store.js';
import { nowIso, type ServiceModule } from '../deps.js';

export interface NewCredentials {
  access_key: string;
  secret_key: string;
}

/** Makes a key pair for a user; only the hash of the secret is kept. */
export async function createCredentials(
  store: Store,
  userId: string,
  label: string,
  fixed?: { accessKey: string; secretKey: string },
): Promise<NewCredentials> {
  const access_key = fixed?.accessKey ?? randomKey(20);
  const secret_key = fixed?.secretKey ?? randomKey(48, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  const cred: Credential = { access_key, secret_hash: hashSecret(secret_key), user: userId, label, created: nowIso(), revoked: false };
  await (fixed ? store.credentials.upsert(cred) : store.credentials.insert(cred));
  return { access_key, secret_key };
}

function caller(ctx: CallContext): Identity {
  if (!ctx.identity) throw new ApiError(Errors.missingCredentials);
  return ctx.identity;
}

export const registerAuth: ServiceModule = (registry, { store, auth }) => {
  registry.add({
    name: 'auth.login',
    auth: 'none',
    handler: async (body, ctx) => {
      const authz = ctx.headers.authorization;
      const { identity, accessKey } = await auth.checkBasic(Array.isArray(authz) ? authz[0] : authz);
      const expiration = Number(body.expiration_sec);
      return { token: auth.issue(identity, accessKey, Number.isFinite(expiration) ? expiration : undefined) };
    },
  });

  registry.add({
    name: 'auth.create_credentials',
    handler: async (body, ctx) => {
      const who = caller(ctx);
      const label = typeof body.label === 'string' ? body.label : '';
      const created = await createCredentials(store, who.user, label);
      return { credentials: { ...created, label } };
    },
  });

  registry.add({
    name: 'auth.get_credentials',
    handler: async (_body, ctx) => {
      const who = caller(ctx);
      const mine = (await store.credentials.list()).filter((c) => c.user === who.user && !c.revoked);
      return { credentials: mine.map((c) => ({ access_key: c.access_key, label: c.label, last_used: c.last_used ?? null, created: c.created })) };
    },
  });

  registry.add({
    name: 'auth.revoke_credentials',
    handler: async (body, ctx) => {
      const who = caller(ctx);
      const key = body.access_key ?? body.key_id;
      if (typeof key !== 'string') throw new ApiError(Errors.missingRequiredFields, 'missing required field: access_key');
      const cred = await store.credentials.get(key);
      if (!cred || (cred.user !== who.user && who.role !== 'admin')) throw new ApiError(Errors.invalidId, `unknown access key ${key}`);
      return { revoked: (await store.credentials.revoke(key)) ? 1 : 0 };
    },
  });

  registry.add({
    name: 'users.get_current_user',
    handler: async (_body, ctx) => {
      const who = caller(ctx);
      const user = await store.users.get(who.user);
      return {
        user: { id: who.user, name: who.user_name, company: { id: who.company, name: who.company_name }, role: who.role, created: user?.created },
        getting_started: {},
        settings: {},
      };
    },
  });

  registry.add({
    name: 'users.get_all',
    handler: async () => ({ users: (await store.users.find()).map((u) => ({ id: u.id, name: u.name, role: u.role, company: u.company, created: u.created })) }),
  });
};

/** Users and keys made at first start, and the ones fixed by configuration. */
export async function bootstrapIdentity(
  store: Store,
  opts: { adminPassword?: string; accessKey?: string; secretKey?: string },
): Promise<{ adminPassword?: string; credentials?: NewCredentials; fixed: boolean }> {
  let admin = await store.users.findByName('admin');
  let adminPassword: string | undefined;
  let credentials: NewCredentials | undefined;
  if (!admin) {
    admin = { id: newId(), name: 'admin', company: 'd1bd92a3b039400cbafc60a7a5b1e52b', role: 'admin', created: nowIso() };
    await store.users.insert(admin);
    adminPassword = opts.adminPassword ?? randomKey(16, 'abcdefghijkmnopqrstuvwxyz23456789');
    await store.users.setPassword(admin.id, hashSecret(adminPassword));
    if (!opts.accessKey) credentials = await createCredentials(store, admin.id, 'created at first start');
  }
  if (opts.accessKey) {
    if (!opts.secretKey) throw new Error('CAIRN_ACCESS_KEY is set but CAIRN_SECRET_KEY is not');
    const existing = await store.credentials.get(opts.accessKey);
    await createCredentials(store, existing?.user ?? admin.id, existing?.label ?? 'from configuration', { accessKey: opts.accessKey, secretKey: opts.secretKey });
  }
  return { adminPassword, credentials, fixed: Boolean(opts.accessKey) };
}
