import { ApiError, checkRole, createUser, otherAdminExists } from '@cairn/server';
import { takeOption, withLocalStore } from './local-store.js';

export const usersUsage = `cairn users create NAME [--role user|admin] [--password PASSWORD] [--data-dir DIR | --database URL]
cairn users list [--data-dir DIR | --database URL]
cairn users disable NAME [--data-dir DIR | --database URL]
cairn users enable NAME [--data-dir DIR | --database URL]

Manages who may sign in. A user signs in to the web UI with a password (generated and
printed once unless --password is given) and owns the API keys made for them; admins
manage users and everyone's keys, users only their own. A disabled user's keys and
sessions stop working at once; their experiments stay.
`;

export async function usersCommand(argv: string[]): Promise<number> {
  const args = [...argv];
  const role = takeOption(args, '--role');
  const password = takeOption(args, '--password');
  return withLocalStore(args, async (store) => {
    const [action, name] = args;
    try {
      if (action === 'create' && name) {
        const made = await createUser(store, name, role === undefined ? 'user' : checkRole(role), password);
        console.log(`created ${made.user.role} ${made.user.name}${password === undefined ? `; password (shown once): ${made.password}` : ''}`);
        return 0;
      }
      if (action === 'list') {
        for (const u of await store.users.find()) console.log(`${u.name.padEnd(24)} ${u.role.padEnd(6)} ${u.disabled ? 'disabled' : 'active  '} ${u.created}`);
        return 0;
      }
      if ((action === 'disable' || action === 'enable') && name) {
        const user = await store.users.findByName(name);
        if (!user) {
          console.error(`no user named ${name}`);
          return 1;
        }
        const disabled = action === 'disable';
        if (disabled && user.role === 'admin' && !(await otherAdminExists(store, user.id))) {
          console.error(`${name} is the last admin: make another admin first`);
          return 1;
        }
        await store.users.update(user.id, (doc) => ({ ...doc, disabled }));
        if (disabled) await store.sessions.revokeAllOf(user.id);
        console.log(`${name} is ${disabled ? 'disabled' : 'enabled'}`);
        return 0;
      }
    } catch (err) {
      if (err instanceof ApiError) {
        console.error(`cairn users: ${err.message}`);
        return 1;
      }
      throw err;
    }
    process.stderr.write(usersUsage);
    return 2;
  });
}
