import { K8sGlue, loadPodTemplate, parseQueueTemplate, runTaskInPod, TemplateError } from '@cairn/agent';
import { ClientConfigError, loadClientConfig, NotFoundError } from '@cairn/client';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export const k8sUsage = `cairn agent k8s --queue NAME [--queue NAME ...] --runner-image IMAGE [options]

Runs each task pulled from the queues (first queue first) in a Pod of its own, through
the Kubernetes API (in-cluster credentials in a pod, else KUBECONFIG), and follows the
pod with a watch: the scheduler's messages, image pull errors, crash loops, OOM kills
and evictions reach the task's status and console; an aborted task's pod is deleted.
Pods are labelled with the glue, the task and the queue; a restarted glue follows its
pods again. Connects to Cairn like the clearml SDK (CLEARML_API_HOST, keys, ~/clearml.conf).

  --queue NAME                  queue to pull from; repeat for more, in priority order
  --namespace NS                namespace of the pods (default: the glue's own in a pod, else default)
  --template FILE               base pod template, a Pod (or its spec) in YAML or JSON
  --queue-template QUEUE=FILE   a template for one queue, laid over the base one; repeat
  --runner-image IMAGE          image with the task runner under /opt/cairn (the Cairn agent image);
                                an init container copies it into the pod, so task images need
                                only Python 3.8+ and git
  --default-image IMAGE         image for tasks that name none (default python:3.11-slim)
  --pod-credentials-secret NAME[:ACCESS:SECRET]
                                Secret the task pods sign in with (keys access_key and secret_key,
                                or the two named); without it the glue's own key pair is written
                                into the pod spec
  --create-queue                create the queues that do not exist
  --max-pods N                  at most N pods at once; the queue keeps its order meanwhile
  --pending-timeout SEC         fail a task whose pod has not started after SEC (default: never)
  --keep-finished SEC           keep a finished pod SEC seconds before deleting it (default 0)
  --name WORKER                 worker id (default k8s-glue:<host>); keep it stable across restarts
  --poll-interval SEC           seconds an empty round of polling lasts (default 5)

cairn agent run-task [--task ID]

What a task pod runs: one task (CAIRN_TASK_ID) as cairn agent daemon would, reported
under CLEARML_WORKER_ID; exits 0 once the task has its final status.
`;

class UsageError extends Error {}

const positive = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} needs a non-negative number, got ${JSON.stringify(v)}`);
  return n;
};

/** The namespace of the pod the glue runs in, when it runs in one. */
function ownNamespace(): string | undefined {
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function k8sCommand(argv: string[]): Promise<number> {
  let glue: K8sGlue | undefined;
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
    void glue?.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        queue: { type: 'string', multiple: true },
        namespace: { type: 'string' },
        template: { type: 'string' },
        'queue-template': { type: 'string', multiple: true },
        'runner-image': { type: 'string' },
        'default-image': { type: 'string' },
        'pod-credentials-secret': { type: 'string' },
        'max-pods': { type: 'string' },
        'pending-timeout': { type: 'string' },
        'keep-finished': { type: 'string' },
        name: { type: 'string' },
        'poll-interval': { type: 'string' },
        'create-queue': { type: 'boolean' },
      },
    });
    if (!values.queue?.length) throw new UsageError('name at least one queue: --queue NAME');
    if (!values['runner-image']) throw new UsageError('name the image that carries the runner: --runner-image IMAGE (the Cairn agent image)');
    glue = await K8sGlue.start({
      config: loadClientConfig(),
      queues: values.queue,
      namespace: values.namespace ?? ownNamespace() ?? 'default',
      name: values.name,
      baseTemplate: values.template ? loadPodTemplate(values.template) : undefined,
      queueTemplates: Object.fromEntries((values['queue-template'] ?? []).map(parseQueueTemplate)),
      runnerImage: values['runner-image'],
      defaultImage: values['default-image'],
      podCredentialsSecret: values['pod-credentials-secret'],
      maxPods: positive('--max-pods', values['max-pods']),
      pendingTimeoutSec: positive('--pending-timeout', values['pending-timeout']),
      keepFinishedSec: positive('--keep-finished', values['keep-finished']),
      pollIntervalSec: positive('--poll-interval', values['poll-interval']),
      createQueues: values['create-queue'] ?? false,
    });
  } catch (err) {
    if (err instanceof UsageError || err instanceof TemplateError || String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`cairn agent k8s: ${(err as Error).message}`);
      return 2;
    }
    if (err instanceof ClientConfigError || err instanceof NotFoundError) {
      console.error(`cairn agent k8s: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (stopRequested) await glue.stop();
  await new Promise(() => undefined);
  return 0;
}

export async function runTaskCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { task: { type: 'string' }, 'work-dir': { type: 'string' } } });
  const taskId = values.task ?? process.env.CAIRN_TASK_ID;
  if (!taskId) {
    console.error('cairn agent run-task: no task: --task ID or CAIRN_TASK_ID');
    return 2;
  }
  const workerId = process.env.CLEARML_WORKER_ID || `pod:${taskId.slice(0, 8)}`;
  const result = await runTaskInPod({ config: loadClientConfig(), taskId, workerId, workDir: values['work-dir'] });
  console.log(`${new Date().toISOString()} cairn-agent: task ${taskId} ${result}`);
  return 0;
}
