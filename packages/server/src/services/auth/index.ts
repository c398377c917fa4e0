import { Errors, type Identity } from '@cairn/protocol';
import { authorize } from '../../auth/policy.js';
import { hashSecret, verifySecret } from '../../auth/secret-hash.js';
import { ApiError } from '../../http/api-error.js';
import type { CallContext } from '../../http/endpoints.js';
import type { Store } from '../../store/store.js';
import type { ServiceModule } from '../deps.js';
import { optBool, optString, reqString } from '../validate.js';
import { checkPassword, checkRole, createCredentials, createUser, otherAdminExists } from './accounts.js';

export { createCredentials, createUser, type NewCredentials } from './accounts.js';
export { bootstrapIdentity } from './bootstrap.js';

function caller(ctx: CallContext): Identity {
  if (!ctx.identity) throw new ApiError(Errors.missingCredentials);
  return ctx.identity;
}

async function userOrThrow(store: Store, id: string) {
  const user = await store.users.get(id);
  if (!user) throw new ApiError(Errors.invalidId, `unknown user ${id}`, { id });
  return user;
}

const publicUser = (u: { id: string; name: string; role: string; company: string; created: string; disabled?: boolean }) =>
  ({ id: u.id, name: u.name, role: u.role, company: u.company, created: u.created, disabled: Boolean(u.disabled) });

/**
 * Sign-in, keys and users. Keys belong to a user and act with that user's role; only
 * admins manage users and other users' keys (auth/policy.ts).
 */
export const registerAuth: ServiceModule = (registry, { store, auth }) => {
  registry.add({
    name: 'auth.login',
    auth: 'none',
    handler: async (body, ctx) => {
      const authz = ctx.headers.authorization;
      const who = await auth.login(Array.isArray(authz) ? authz[0] : authz, ctx.ip ?? '');
      const expiration = Number(body.expiration_sec);
      return { token: auth.issue(who.identity, who.accessKey, Number.isFinite(expiration) ? expiration : undefined, who.session) };
    },
  });

  // The web UI's sign-out: the session's tokens stop working at once.
  registry.add({
    name: 'auth.logout',
    handler: async (_body, ctx) => {
      await auth.endSession(ctx.caller?.session);
      return {};
    },
  });

  registry.add({
    name: 'auth.create_credentials',
    handler: async (body, ctx) => {
      const who = caller(ctx);
      const owner = optString(body, 'user') ?? who.user;
      authorize(who, 'manage-credentials', { owner }, 'creating keys for another user');
      await userOrThrow(store, owner);
      const label = typeof body.label === 'string' ? body.label.slice(0, 200) : '';
      const created = await createCredentials(store, owner, label);
      return { credentials: { ...created, label } };
    },
  });

  registry.add({
    name: 'auth.get_credentials',
    handler: async (body, ctx) => {
      const who = caller(ctx);
      const owner = optString(body, 'user') ?? who.user;
      authorize(who, 'manage-credentials', { owner }, "listing another user's keys");
      const theirs = (await store.credentials.list()).filter((c) => c.user === owner && !c.revoked);
      return { credentials: theirs.map((c) => ({ access_key: c.access_key, label: c.label, last_used: c.last_used ?? null, created: c.created })) };
    },
  });

  registry.add({
    name: 'auth.revoke_credentials',
    handler: async (body, ctx) => {
      const who = caller(ctx);
      const key = body.access_key ?? body.key_id;
      if (typeof key !== 'string') throw new ApiError(Errors.missingRequiredFields, 'missing required field: access_key');
      const cred = await store.credentials.get(key);
      // Another user's key is as unknown as a key that does not exist.
      if (!cred || cred.revoked || (cred.user !== who.user && who.role !== 'admin')) throw new ApiError(Errors.invalidId, `unknown access key ${key}`);
      return { revoked: (await store.credentials.revoke(key)) ? 1 : 0 };
    },
  });

  registry.add({
    name: 'auth.change_password',
    handler: async (body, ctx) => {
      const who = caller(ctx);
      const old = reqString(body, 'old_password');
      const next = checkPassword(body.new_password, 'new_password');
      const hash = await store.users.getPasswordHash(who.user);
      if (!hash || !(await verifySecret(old, hash))) throw new ApiError(Errors.invalidCredentials, 'the current password is wrong');
      await store.users.setPassword(who.user, await hashSecret(next));
      const ended = await store.sessions.revokeAllOf(who.user);
      return { updated: 1, ended_sessions: ended };
    },
  });

  registry.add({
    name: 'auth.create_user',
    handler: async (body, ctx) => {
      authorize(caller(ctx), 'manage-users', {}, 'creating users');
      const role = body.role === undefined ? 'user' : checkRole(body.role);
      const given = body.password === undefined || body.password === null ? undefined : checkPassword(body.password);
      const { user, password } = await createUser(store, body.name, role, given);
      return { id: user.id, ...(given === undefined ? { password } : {}) };
    },
  });

  registry.add({
    name: 'auth.edit_user',
    handler: async (body, ctx) => {
      const who = caller(ctx);
      authorize(who, 'manage-users', {}, 'editing users');
      const user = await userOrThrow(store, reqString(body, 'user'));
      const role = body.role === undefined ? undefined : checkRole(body.role);
      const disabled = optBool(body, 'disabled');
      const password = body.password === undefined ? undefined : checkPassword(body.password);
      const losesAdmin = user.role === 'admin' && ((role !== undefined && role !== 'admin') || disabled === true);
      if (losesAdmin && !(await otherAdminExists(store, user.id))) {
        throw new ApiError(Errors.validationError, `${user.name} is the last admin: make another admin first`);
      }
      const fields: Record<string, unknown> = {};
      await store.users.update(user.id, (doc) => {
        if (role !== undefined) doc.role = fields.role = role;
        if (disabled !== undefined) doc.disabled = fields.disabled = disabled;
        return doc;
      });
      if (password !== undefined) {
        await store.users.setPassword(user.id, await hashSecret(password));
        fields.password = 'changed';
      }
      // A disabled user, or one whose password an admin reset, signs in again.
      if (disabled || password !== undefined) await store.sessions.revokeAllOf(user.id);
      return { updated: Object.keys(fields).length > 0 ? 1 : 0, fields };
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
    handler: async () => ({ users: (await store.users.find()).map(publicUser) }),
  });
};
