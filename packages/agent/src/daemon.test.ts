import type { ClientConfig } from '@cairn/client';
import { RecordingProxy } from '@cairn/client/dist/testing/recording-proxy.js';
import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '@cairn/server/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Daemon } from './daemon.js';
import { makeRepo } from './testing/git-repo.js';
import { processGone, waitGone } from './testing/process-gone.js';

/*
 * The agent end to end: a real server, a local git repository with scripts that use the
 * real clearml SDK, and a daemon (in this process) that builds a fresh virtualenv with
 * `python3 -m venv` + `pip install clearml` the first time (PyPI, or the pip cache) and
 * reuses it for every later task of the run.
 */

const TRAIN = `
import argparse
from clearml import Task

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1)
task = Task.init(project_name="ignored when remote", task_name="ignored when remote")
args = parser.parse_args()
logger = task.get_logger()
for i in range(args.epochs):
    logger.report_scalar("loss", "train", value=1.0 / (i + 1), iteration=i)
print(f"training done after {args.epochs} epochs")
from clearml.config import config_obj
print("S3 key from the configuration: " + str(config_obj.get("sdk.aws.s3.key", None)))
`;

const SLEEPY = `
import os, time
from clearml import Task

Task.init(project_name="p", task_name="t")
print(f"waiting pid={os.getpid()}", flush=True)
time.sleep(600)
`;

const FAILING = `
from clearml import Task

Task.init(project_name="p", task_name="t")
def step():
    raise RuntimeError("boom from the task")
step()
`;

let server: TestServer;
/** Between the agent (and its tasks) and the server, to check what the agent sends. */
let proxy: RecordingProxy;
let daemon: Daemon;
let queueId = '';
let projectId = '';
const dir = mkdtempSync(join(tmpdir(), 'cairn-agent-it-'));
const repo = join(dir, 'repo');
const agentLog: string[] = [];

async function call<T = Record<string, unknown>>(endpoint: string, body: object): Promise<T> {
  const res = await server.call(endpoint, body);
  assert.equal(res.status, 200, `${endpoint}: ${JSON.stringify(res.meta)}`);
  return res.data as T;
}

async function enqueue(name: string, fields: Record<string, unknown>): Promise<string> {
  const { id } = await call<{ id: string }>('tasks.create', { name, type: 'training', project: projectId, ...fields });
  await call('tasks.enqueue', { task: id, queue: queueId });
  return id;
}

interface TaskDoc {
  status: string;
  status_reason: string;
  status_message: string;
  last_worker?: string;
}

const getTask = async (id: string) => (await call<{ task: TaskDoc }>('tasks.get_by_id', { task: id })).task;

async function waitForStatus(id: string, done: (t: TaskDoc) => boolean): Promise<TaskDoc> {
  for (;;) {
    const t = await getTask(id);
    if (done(t)) return t;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const finished = (t: TaskDoc) => ['completed', 'failed', 'stopped'].includes(t.status);

async function consoleText(id: string): Promise<string> {
  const { events } = await call<{ events: { msg: string; level: string }[] }>('events.get_task_log', { task: id, navigate_earlier: false, order: 'asc', batch_size: 10_000 });
  return events.map((e) => e.msg).join('\n');
}

/** Waits for a console line of a running task; fails at once if the task ends first. */
async function waitForConsole(id: string, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const text = await consoleText(id);
    const m = text.match(pattern);
    if (m) return m;
    const t = await getTask(id);
    if (finished(t)) assert.fail(`task ended ${t.status} (${t.status_reason}) before printing ${pattern}:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  // The agent's clearml.conf, named as a user names it: its sdk section is for the tasks.
  process.env.CLEARML_CONFIG_FILE = join(dir, 'agent-clearml.conf');
  writeFileSync(process.env.CLEARML_CONFIG_FILE, 'sdk { aws { s3 { key: "agent-conf-key", secret: "agent-conf-secret" } } }\n');
  server = await startTestServer();
  proxy = await RecordingProxy.start(server.api);
  const commit = makeRepo(repo);
  commit({ 'jobs/train.py': TRAIN, 'jobs/sleepy.py': SLEEPY }, 'scripts');
  queueId = (await call<{ id: string }>('queues.create', { name: 'agent-it' })).id;
  projectId = (await call<{ id: string }>('projects.create', { name: 'Agent IT', description: '' })).id;
  const config: ClientConfig = { apiHost: proxy.url, webHost: server.server.listening.web, filesHost: server.files, accessKey: TEST_KEY, secretKey: TEST_SECRET };
  daemon = await Daemon.start({
    config,
    queues: ['agent-it'],
    pollIntervalSec: 1,
    statusIntervalSec: 1,
    codeWaitSec: 4,
    workDir: join(dir, 'work'),
    lockDir: join(dir, 'locks'),
    log: (line) => agentLog.push(line),
  });
});

after(async () => {
  await daemon.shutdown();
  await proxy.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cairn agent daemon', { timeout: 600_000 }, () => {
  test('runs a repository task with the clearml SDK attached and completes it', async () => {
    const id = await enqueue('train', {
      script: { repository: repo, branch: 'main', entry_point: 'train.py', working_dir: 'jobs' },
      hyperparams: { Args: { epochs: { section: 'Args', name: 'epochs', value: '3', type: 'int' } } },
    });
    const task = await waitForStatus(id, finished);
    const text = await consoleText(id);
    assert.equal(task.status, 'completed', text);
    assert.equal(task.status_reason, 'worker execution done');
    assert.equal(task.last_worker, daemon.workerId);
    assert.match(daemon.workerId, /:cairn-0$/);
    assert.ok(text.includes(`task ${id} pulled from agent-it by worker ${daemon.workerId}`), text);
    // 3 epochs: the SDK read the Args section of the server's task, not the script's default
    assert.ok(text.includes('training done after 3 epochs'), text);
    assert.ok(text.includes('Process completed successfully'));
    // the SDK in the task read the agent's configuration file (S3 credentials for artifacts)
    assert.ok(text.includes('S3 key from the configuration: agent-conf-key'), text);
    const hist = await call<Record<string, Record<string, { x: number[]; y: number[] }>>>('events.scalar_metrics_iter_histogram', { task: id });
    assert.deepEqual(hist.loss?.train?.x, [0, 1, 2]);
    assert.deepEqual(hist.loss?.train?.y.map((v) => Number(v.toFixed(3))), [1, 0.5, 0.333]);

    // What the agent itself sent for this task, in order.
    const sent = proxy.requests.filter((r) => r.agent === 'cairn-agent').map((r) => ({ endpoint: r.endpoint, body: r.contentType === 'application/json' ? JSON.parse(r.body) : r.body, contentType: r.contentType }));
    const about = (e: { body: any }) => typeof e.body === 'object' && (e.body.task === id || e.body.id?.[0] === id);
    const started = sent.findIndex((e) => e.endpoint === 'tasks.started' && about(e));
    // the status reporter runs beside the poll loop, so its reports may fall between the two
    const beforeStart = sent.slice(0, started).filter((e) => e.endpoint !== 'workers.status_report');
    assert.deepEqual(beforeStart.at(-1)?.endpoint, 'tasks.get_by_id');
    assert.equal(sent[started]!.body.force, true);
    assert.equal(sent[started]!.body.status_message, 'pulled by agent');
    const running = sent.findIndex((e, i) => i > started && e.endpoint === 'workers.status_report' && e.body.task === id);
    assert.ok(running > started);
    assert.equal(sent[running]!.body.queue, queueId);
    assert.equal(sent[running]!.body.worker, daemon.workerId);
    assert.ok(sent[running]!.body.timestamp > 1e12, 'timestamp in ms');
    assert.equal(typeof sent[running]!.body.machine_stats.memory_used, 'number');
    const completed = sent.findIndex((e) => e.endpoint === 'tasks.completed' && about(e));
    assert.equal(sent[completed]!.body.status_reason, 'worker execution done');
    const logs = sent.slice(started, completed).filter((e) => e.endpoint === 'events.add_batch');
    assert.ok(logs.length > 0 && logs.every((e) => e.contentType === 'application/json-lines'));
    assert.ok(sent.slice(started, completed).some((e) => e.endpoint === 'tasks.get_all' && about(e) && e.body.only_fields.includes('status')));
    const idle = sent.findIndex((e, i) => i > completed && e.endpoint === 'workers.status_report');
    assert.ok(idle > completed, 'a status report after the task');
    assert.equal(sent[idle]!.body.task, undefined);
  });

  test('a task pulled before its code is recorded waits for the code, then runs it', async () => {
    const id = await enqueue('code comes late', {});
    await waitForConsole(id, /has no code recorded yet .*waiting up to 4 s/);
    // what the clearml SDK's repository detection writes, a moment after the task was queued
    await call('tasks.edit', { task: id, force: true, script: { repository: repo, branch: 'main', entry_point: 'train.py', working_dir: 'jobs' } });
    const task = await waitForStatus(id, finished);
    const text = await consoleText(id);
    assert.equal(task.status, 'completed', text);
    assert.ok(text.includes("the task's code is recorded now; going on"), text);
    assert.ok(text.includes('training done after 1 epochs'), text);
  });

  test('a task whose code never comes fails with the reason and what to do', async () => {
    const id = await enqueue('no code at all', {});
    const task = await waitForStatus(id, finished);
    const text = await consoleText(id);
    assert.equal(task.status, 'failed', text);
    assert.equal(task.status_reason, 'no code to run');
    assert.match(text, /no repository and no script text \(script\.diff\) to run, 4 s after it was pulled\. A task queued by execute_remotely/);
  });

  test('a script that raises ends failed with the traceback in the console', async () => {
    const id = await enqueue('fails', { script: { repository: '', entry_point: 'fail.py', diff: FAILING } });
    const task = await waitForStatus(id, finished);
    const text = await consoleText(id);
    assert.equal(task.status, 'failed', text);
    assert.equal(task.status_reason, 'worker execution exit code 1');
    assert.match(text, /Traceback \(most recent call last\):[\s\S]*in step[\s\S]*RuntimeError: boom from the task/);
    assert.ok(text.includes('Process failed, exit code 1'));
  });

  test('requirements that cannot be installed fail the task with pip\'s error', async () => {
    const id = await enqueue('bad requirements', {
      script: { repository: '', entry_point: 'x.py', diff: 'print(1)\n', requirements: { pip: '--no-index\ncairn-no-such-package==1.0\n' } },
    });
    const task = await waitForStatus(id, finished);
    assert.equal(task.status, 'failed');
    assert.equal(task.status_reason, 'failed installing requirements');
    assert.match(await consoleText(id), /No matching distribution found for cairn-no-such-package==1\.0/);
  });

  test('tasks.stop ends a running task: process tree killed, status stopped', async () => {
    const id = await enqueue('sleepy', { script: { repository: repo, entry_point: 'sleepy.py', working_dir: 'jobs' } });
    const pid = Number((await waitForConsole(id, /waiting pid=(\d+)/))[1]);
    assert.equal(processGone(pid), false);
    await call('tasks.stop', { task: id });
    const task = await waitForStatus(id, (t) => t.status !== 'in_progress');
    assert.equal(task.status, 'stopped');
    assert.equal(task.status_reason, 'task was stopped by tasks.stop');
    await waitGone(pid);
    assert.match(await consoleText(id), /Process aborted by user/);
  });

  test('the worker is registered on its queue and reports machine statistics', async () => {
    const { workers } = await call<{ workers: { id: string; queues: { id: string }[] }[] }>('workers.get_all', {});
    const me = workers.find((w) => w.id === daemon.workerId);
    assert.ok(me, JSON.stringify(workers));
    assert.deepEqual(me.queues.map((q) => q.id), [queueId]);
    const keys = await call<{ categories: { name: string; metric_keys: string[] }[] }>('workers.get_metric_keys', { worker_ids: [daemon.workerId] });
    const all = keys.categories.flatMap((c) => c.metric_keys);
    for (const k of ['cpu_usage', 'memory_used', 'memory_free', 'disk_free_home', 'network_rx']) assert.ok(all.includes(k), `${k} in ${all.join(',')}`);
  });

  test('shutting the daemon down stops the running task with "user abort" and unregisters the worker', async () => {
    const id = await enqueue('sleepy at shutdown', { script: { repository: repo, entry_point: 'sleepy.py', working_dir: 'jobs' } });
    const pid = Number((await waitForConsole(id, /waiting pid=(\d+)/))[1]);
    await daemon.shutdown();
    const task = await getTask(id);
    assert.equal(task.status, 'stopped');
    assert.equal(task.status_reason, 'user abort');
    await waitGone(pid);
    const { workers } = await call<{ workers: { id: string }[] }>('workers.get_all', {});
    assert.equal(workers.some((w) => w.id === daemon.workerId), false);
  });
});
