import { Session, type ClientConfig } from '@cairn/client';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MachineStatsSampler } from '../machine-stats.js';
import { StatusReporter } from '../status-reporter.js';
import { TaskRunner, type RunResult, type RunnerSettings } from '../task-runner.js';

/**
 * `cairn agent run-task`: what a task pod runs. One task, exactly as `cairn agent daemon`
 * runs it (checkout, diff, virtualenv, console, abort, final status), reported under
 * the pod's own worker id, which is then unregistered. Exits 0 once the task has a
 * final status: from there on the glue reads the task, not the pod.
 */
export interface InPodOptions {
  config: ClientConfig;
  taskId: string;
  workerId: string;
  workDir?: string;
  python?: string;
  log?: (line: string) => void;
}

export async function runTaskInPod(opts: InPodOptions): Promise<RunResult> {
  const log = opts.log ?? ((line: string) => console.log(`${new Date().toISOString()} cairn-agent: ${line}`));
  const session = new Session({ ...opts.config, retry: { retries: 20 }, headers: { 'X-ClearML-Worker': opts.workerId, 'X-ClearML-Agent': 'cairn-agent' } });
  await session.login();
  const task = (await session.call<{ task: { execution?: { queue?: string } } }>('tasks.get_by_id', { task: opts.taskId })).task;
  const queueId = task.execution?.queue ?? '';
  let queueName = queueId;
  if (queueId) {
    try {
      queueName = (await session.call<{ queue: { name: string } }>('queues.get_by_id', { queue: queueId })).queue.name;
    } catch {
      // a queue deleted since: its id says enough
    }
  }
  const workDir = opts.workDir ?? join(homedir(), '.cairn', 'agent');
  const settings: RunnerSettings = {
    workDir,
    python: opts.python ?? 'python3',
    venvCacheDir: join(workDir, 'venvs'),
    systemSitePackages: false,
    abortCheckMs: 1_000,
    logFlushMs: 1_000,
    pingIntervalMs: 60_000,
    codeWaitMs: 30_000,
  };
  const reporter = new StatusReporter(session, opts.workerId, queueId ? [queueId] : [], 30_000, new MachineStatsSampler({}), log);
  reporter.start();
  try {
    const runner = new TaskRunner({ session, config: opts.config, workerId: opts.workerId, reporter, settings, log }, { taskId: opts.taskId, queue: { id: queueId, name: queueName } });
    const stop = () => runner.stop();
    process.once('SIGTERM', stop);
    try {
      return await runner.run();
    } finally {
      process.off('SIGTERM', stop);
    }
  } finally {
    await reporter.stop();
    await session.call('workers.unregister', { worker: opts.workerId, queues: queueId ? [queueId] : [] }, { retries: 3 }).catch(() => undefined);
  }
}
