import { isId } from '@cairn/protocol';
import type { Session } from './session.js';

/** Escapes a name for the servers' regex `name` filter (they match "contains", so anchor it). */
export function exactNamePattern(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

export class NotFoundError extends Error {}

/** The id of the queue named exactly `name`; a 32-hex id of an existing queue is accepted as is. */
export async function findQueueId(session: Session, name: string): Promise<string> {
  const { queues } = await session.call<{ queues: { id: string; name: string }[] }>('queues.get_all', {
    name: exactNamePattern(name),
    only_fields: ['id', 'name'],
  });
  const exact = queues.filter((q) => q.name === name);
  if (exact[0]) return exact[0].id;
  if (isId(name)) {
    const byId = await session.call<{ queues: { id: string }[] }>('queues.get_all', { id: [name], only_fields: ['id'] });
    if (byId.queues[0]) return byId.queues[0].id;
  }
  throw new NotFoundError(`no queue named ${JSON.stringify(name)}`);
}

/** The id of the project named exactly `name`, created when missing. */
export async function ensureProjectId(session: Session, name: string): Promise<string> {
  const { projects } = await session.call<{ projects: { id: string; name: string }[] }>('projects.get_all', {
    name: exactNamePattern(name),
    only_fields: ['id', 'name'],
    search_hidden: true,
  });
  const found = projects.find((p) => p.name === name);
  if (found) return found.id;
  return (await session.call<{ id: string }>('projects.create', { name, description: '' })).id;
}
