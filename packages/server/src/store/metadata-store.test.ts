import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Project, Task } from '@cairn/protocol';
import { testDatabase } from '../testing/postgres.js';
import { storeBackends } from '../testing/store-backends.js';
import { openPgStore } from './postgres/pg-store.js';

/** The metadata parts of the store (documents, accounts, settings, locks) on both backends. */
const project = (id: string, name: string): Project => ({
  id, name, basename: name, description: '', user: 'u', company: 'c', created: '2026-01-01T00:00:00Z', last_update: '2026-01-01T00:00:00Z', tags: [], system_tags: [],
});
const task = (id: string, projectId: string): Task => ({ id, name: id, project: projectId, status: 'created', type: 'training' }) as unknown as Task;

const drops: (() => Promise<void>)[] = [];
after(async () => {
  for (const drop of drops) await drop();
});

for (const backend of storeBackends) {
  describe(backend.name, () => {
    test('documents: insert, get, getMany in the order asked, find by project, update, delete, count', async () => {
      const s = await backend.open();
      try {
        await s.tasks.insert(task('t1', 'p1'));
        await s.tasks.insert(task('t2', 'p2'));
        await s.tasks.insert(task('t3', 'p1'));
        assert.equal((await s.tasks.get('t2'))?.project, 'p2');
        assert.equal(await s.tasks.get('nope'), undefined);
        assert.deepEqual((await s.tasks.getMany(['t3', 'nope', 't1', 't3'])).map((t) => t.id), ['t3', 't1']);
        assert.deepEqual((await s.tasks.find({ projects: ['p1'] })).map((t) => t.id).sort(), ['t1', 't3']);
        assert.deepEqual((await s.tasks.find({ ids: ['t2'] })).map((t) => t.id), ['t2']);
        assert.equal((await s.tasks.find()).length, 3);
        const moved = await s.tasks.update('t1', (t) => ({ ...t, project: 'p2', name: 'renamed' }));
        assert.equal(moved?.name, 'renamed');
        assert.deepEqual((await s.tasks.find({ projects: ['p2'] })).map((t) => t.id).sort(), ['t1', 't2']);
        assert.equal(await s.tasks.update('nope', (t) => t), undefined);
        await assert.rejects(s.tasks.update('t2', () => {
          throw new Error('abort');
        }), /abort/);
        assert.equal((await s.tasks.get('t2'))?.name, 't2');
        assert.equal(await s.tasks.delete('t3'), true);
        assert.equal(await s.tasks.delete('t3'), false);
        assert.equal(await s.tasks.count(), 2);
        await assert.rejects(s.tasks.insert(task('t1', 'p1')));
      } finally {
        await s.close();
      }
    });

    test('concurrent updates of one document lose nothing', async () => {
      const s = await backend.open();
      try {
        await s.projects.insert(project('p1', 'one'));
        await Promise.all(Array.from({ length: 25 }, (_, i) => s.projects.update('p1', (p) => ({ ...p, tags: [...p.tags, `t${i}`] }))));
        assert.equal((await s.projects.get('p1'))?.tags.length, 25);
      } finally {
        await s.close();
      }
    });

    test('users, credentials, sessions and settings', async () => {
      const s = await backend.open();
      try {
        await s.users.insert({ id: 'u1', name: 'ada', company: 'c', role: 'user', created: '2026-01-01T00:00:00Z' } as never);
        assert.equal((await s.users.findByName('ada'))?.id, 'u1');
        assert.equal(await s.users.getPasswordHash('u1'), undefined);
        await s.users.setPassword('u1', 'hash');
        assert.equal(await s.users.getPasswordHash('u1'), 'hash');

        const cred = { access_key: 'K1', secret_hash: 'h1', user: 'u1', label: 'l', created: '2026-01-01T00:00:00Z', revoked: false };
        await s.credentials.insert(cred);
        await s.credentials.upsert({ ...cred, access_key: 'K2', created: '2026-01-02T00:00:00Z' });
        await s.credentials.upsert({ ...cred, access_key: 'K2', secret_hash: 'h2', created: '2026-01-02T00:00:00Z' });
        assert.deepEqual((await s.credentials.list()).map((c) => [c.access_key, c.secret_hash]), [['K1', 'h1'], ['K2', 'h2']]);
        await s.credentials.touch('K1', '2026-01-03T00:00:00Z');
        assert.equal((await s.credentials.get('K1'))?.last_used, '2026-01-03T00:00:00Z');
        assert.equal(await s.credentials.revoke('K1'), true);
        assert.equal(await s.credentials.revoke('K1'), false);
        assert.equal((await s.credentials.get('K1'))?.revoked, true);
        assert.equal(await s.credentials.get('K9'), undefined);

        await s.sessions.create({ id: 's1', user: 'u1', created: 'x', expires: 1000, revoked: false });
        await s.sessions.create({ id: 's2', user: 'u1', created: 'x', expires: 5000, revoked: false });
        assert.deepEqual(await s.sessions.get('s1'), { id: 's1', user: 'u1', created: 'x', expires: 1000, revoked: false });
        assert.equal(await s.sessions.revoke('s1'), true);
        assert.equal(await s.sessions.revokeAllOf('u1'), 1);
        await s.sessions.prune(2000);
        assert.equal(await s.sessions.get('s1'), undefined);
        assert.equal((await s.sessions.get('s2'))?.revoked, true);

        assert.equal(await s.getSetting('k'), undefined);
        await s.setSetting('k', 'v1');
        await s.setSetting('k', 'v2');
        assert.equal(await s.getSetting('k'), 'v2');
      } finally {
        await s.close();
      }
    });

    test('exclusive: callers take turns; without waiting, a held lock is skipped', async () => {
      const s = await backend.open();
      try {
        const order: string[] = [];
        let release!: () => void;
        const held = s.exclusive('l', async () => {
          order.push('a');
          await new Promise<void>((r) => (release = r));
          order.push('a-end');
        });
        while (order.length === 0) await new Promise((r) => setTimeout(r, 5));
        assert.equal(await s.exclusive('l', async () => void order.push('skipped'), false), false);
        const waiting = s.exclusive('l', async () => void order.push('b'));
        await new Promise((r) => setTimeout(r, 50));
        release();
        assert.equal(await held, true);
        assert.equal(await waiting, true);
        assert.deepEqual(order, ['a', 'a-end', 'b']);
        assert.equal(await s.exclusive('other', async () => undefined, false), true);
      } finally {
        await s.close();
      }
    });
  });
}

describe('postgres replicas', () => {
  test('two stores on one database: migrations run once, updates and locks are shared', async () => {
    const db = await testDatabase();
    drops.push(db.drop);
    const [a, b] = await Promise.all([openPgStore(db.url), openPgStore(db.url)]);
    try {
      await a.projects.insert(project('p1', 'one'));
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).projects.update('p1', (p) => ({ ...p, tags: [...p.tags, `t${i}`] }))));
      assert.equal((await b.projects.get('p1'))?.tags.length, 20);
      let release!: () => void;
      let entered = false;
      const held = a.exclusive('watchdog', async () => {
        entered = true;
        await new Promise<void>((r) => (release = r));
      });
      while (!entered) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await b.exclusive('watchdog', async () => undefined, false), false);
      release();
      await held;
      assert.equal(await b.exclusive('watchdog', async () => undefined, false), true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
