import { Errors, type Identity } from '@cairn/protocol';
import { ApiError } from '../http/api-error.js';

/**
 * Who may do what. Every decision about another user's things goes through here, so that
 * per-project permissions, when they come, are one more rule in this file rather than
 * checks spread over the services.
 *
 * - admins manage users and every key;
 * - everyone manages their own keys and password;
 * - tasks, projects and models are shared by everyone signed in (they keep their creator).
 */
export type Action = 'manage-users' | 'manage-credentials';

export interface Resource {
  /** the user the resource belongs to */
  owner?: string;
}

export function allowed(who: Identity, action: Action, resource: Resource = {}): boolean {
  if (who.role === 'admin' || who.role === 'system') return true;
  switch (action) {
    case 'manage-users':
      return false;
    case 'manage-credentials':
      return resource.owner === who.user;
  }
}

/** Throws 403 unless allowed; `what` names the action in the message. */
export function authorize(who: Identity, action: Action, resource: Resource, what: string): void {
  if (!allowed(who, action, resource)) throw new ApiError(Errors.notAllowed, `${what} needs the admin role; ${who.user_name} is a ${who.role}`);
}
