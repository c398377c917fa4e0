import { startTestServer, type TestServer } from '@cairn/server/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliEnv, runCli } from '../testing/run-cli.js';

let server: TestServer;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(join(tmpdir(), 'cairn-task-cli-'));

before(async () => {
  server = await startTestServer();
  env = cliEnv(server, dir);
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const getTask = async (id: string) => (await server.call('tasks.get_by_id', { task: id })).data.task as Record<string, any>;

describe('cairn task create', () => {
  test('a script file task with Args, an image, enqueued', async () => {
    writeFileSync(join(dir, 'job.py'), 'print("hi")\n');
    const out = await runCli(['task', 'create', '--project', 'CLI/Jobs', '--name', 'job one', '--script-file', join(dir, 'job.py'),
      '--args', 'lr=0.1', 'epochs=3', '--queue', 'default', '--docker', 'python:3.11-slim'], env);
    assert.equal(out.code, 0, out.stderr);
    const id = out.stdout.trim();
    assert.match(id, /^[0-9a-f]{32}$/);
    const t = await getTask(id);
    assert.equal(t.name, 'job one');
    assert.equal(t.status, 'queued');
    assert.deepEqual(
      { repository: t.script.repository, entry_point: t.script.entry_point, diff: t.script.diff, working_dir: t.script.working_dir },
      { repository: '', entry_point: 'job.py', diff: 'print("hi")\n', working_dir: '.' },
    );
    assert.equal(t.hyperparams.Args.lr.value, '0.1');
    assert.equal(t.hyperparams.Args.epochs.value, '3');
    assert.equal(t.container.image, 'python:3.11-slim');
    const project = (await server.call('projects.get_by_id', { project: t.project })).data.project as { name: string };
    assert.equal(project.name, 'CLI/Jobs');
    const q = (await server.call('queues.get_all', { name: '^default$' })).data.queues as { id: string; entries: { task: string }[] }[];
    assert.ok(q[0]!.entries.some((e) => e.task === id));
  });

  test('a repository task at a commit, with a requirements file, reusing the project', async () => {
    writeFileSync(join(dir, 'reqs.txt'), 'numpy==2.1.0\n');
    const out = await runCli(['task', 'create', '--project', 'CLI/Jobs', '--name', 'job two', '--repo', dir, '--branch', 'dev', '--commit', 'abc123',
      '--script', 'train.py', '--cwd', 'src', '--requirements', join(dir, 'reqs.txt')], env);
    assert.equal(out.code, 0, out.stderr);
    const t = await getTask(out.stdout.trim());
    assert.equal(t.status, 'created');
    assert.deepEqual(
      { repository: t.script.repository, branch: t.script.branch, version_num: t.script.version_num, entry_point: t.script.entry_point, working_dir: t.script.working_dir, pip: t.script.requirements.pip },
      { repository: dir, branch: 'dev', version_num: 'abc123', entry_point: 'train.py', working_dir: 'src', pip: 'numpy==2.1.0\n' },
    );
    const projects = (await server.call('projects.get_all', { name: '^CLI/Jobs$' })).data.projects as unknown[];
    assert.equal(projects.length, 1);
  });

  test('bad input is refused before anything is created', async () => {
    const both = await runCli(['task', 'create', '--project', 'P', '--name', 'n', '--repo', dir, '--script-file', 'x.py', '--script', 'x.py'], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --repo or --script-file/);
    const badArgs = await runCli(['task', 'create', '--project', 'P', '--name', 'n', '--script-file', join(dir, 'job.py'), '--args', 'novalue'], env);
    assert.equal(badArgs.code, 2);
    assert.match(badArgs.stderr, /name=value/);
    const noQueue = await runCli(['task', 'create', '--project', 'P', '--name', 'n', '--script-file', join(dir, 'job.py'), '--queue', 'nope'], env);
    assert.equal(noQueue.code, 1);
    assert.match(noQueue.stderr, /no queue named "nope"/);
    const { tasks } = (await server.call('tasks.get_all', { name: '^n$' })).data as { tasks: unknown[] };
    assert.equal(tasks.length, 0);
  });
});
