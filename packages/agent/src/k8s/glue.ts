import { ApiCallError, findQueueId, NotFoundError, Session, sleep, type ClientConfig } from '@cairn/client';
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type ObjectCache, type V1Pod } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { QueuePoller, type Pick, type QueueRef } from '../queue-poller.js';
import { MachineStatsSampler } from '../machine-stats.js';
import { StatusReporter } from '../status-reporter.js';
import { buildPod, glueLabel, LABELS, MAIN_CONTAINER, mergePodTemplates, podName, type PodSettings, type TaskForPod } from './pod-spec.js';
import { describeVerdict, isFinal, podVerdict, type PodVerdict } from './pod-verdict.js';

/**
 * `cairn agent k8s`: one Pod per queued task, through the Kubernetes API.
 *
 * Pulling: tasks are taken from the queues (first queue first, long-polled) only while
 * fewer than `maxPods` of this glue's pods exist, so a full cluster leaves the rest of
 * the queue in order. Each task becomes a Pod (pod-spec.ts) labelled with the glue, the
 * task and the queue; the Pod's runner then reports the task like any agent does.
 *
 * Following: a watch (informer) on the glue's pods, not polling. What a pod's status
 * means reaches the task as its user would read it (pod-verdict.ts): the scheduler's
 * words while it cannot be placed (status message and a console line), a failure with
 * the reason when the image cannot be pulled, the container crash-loops, runs out of
 * memory or is evicted, and the pod's last log lines when it ended before its runner
 * reported. A task aborted or finished is checked every few seconds: its pod is
 * deleted (a finished one after `keepFinishedSec`).
 *
 * Restarts: pods are found again by their labels, so a restarted glue goes on following
 * the pods it made; a pod name is the task's id, so a task can never get two pods.
 */
export interface GlueOptions {
  config: ClientConfig;
  /** cluster access: in-cluster config in a pod, KUBECONFIG otherwise (KubeConfig.loadFromDefault) */
  kubeConfig?: KubeConfig;
  queues: string[];
  namespace: string;
  /** the glue's worker id (default `k8s-glue:<host>`); its pods carry its hash */
  name?: string;
  baseTemplate?: unknown;
  /** queue name (or id) → pod template laid over the base one */
  queueTemplates?: Record<string, unknown>;
  defaultImage?: string;
  runnerImage: string;
  /**
   * Secret holding the key pair of the task pods: `NAME` (keys `access_key`, `secret_key`) or
   * `NAME:ACCESS_KEY_KEY:SECRET_KEY_KEY`; without it the glue's own pair goes into the pod spec.
   */
  podCredentialsSecret?: string;
  /** create the queues that do not exist (instead of refusing to start) */
  createQueues?: boolean;
  maxPods?: number;
  /** fail a task whose pod is not running after this many seconds (0: wait forever, as ClearML does) */
  pendingTimeoutSec?: number;
  /** keep a finished pod this long before deleting it */
  keepFinishedSec?: number;
  pollIntervalSec?: number;
  /** how often the tasks of live pods are read (aborts, final statuses) */
  checkIntervalMs?: number;
  log?: (line: string) => void;
}

interface Tracked {
  taskId: string;
  queue: QueueRef;
  pod: string;
  created: number;
  /** the last status sentence told to the task */
  told?: string;
  verdict?: PodVerdict;
  /** when the pod was seen ended (or its task final) */
  endedAt?: number;
  /** the glue deletes (or deleted) the pod itself */
  deleting?: boolean;
  /** the task has a final status: nothing more to tell it */
  taskFinal?: boolean;
}

const FINAL = new Set(['completed', 'failed', 'stopped', 'published', 'closed']);
/** How long a running pod whose task has ended may take to exit before it is deleted. */
const RUNNING_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 40;

export class K8sGlue {
  private readonly stopping = new AbortController();
  private readonly tracked = new Map<string, Tracked>();
  private informer?: Informer<V1Pod> & ObjectCache<V1Pod>;
  private loops: Promise<void>[] = [];
  private readonly core: CoreV1Api;
  private readonly label: string;
  private readonly capacityFreed = new Set<() => void>();

  private constructor(
    private readonly opts: GlueOptions & { name: string },
    private readonly session: Session,
    private readonly queues: QueueRef[],
    private readonly reporter: StatusReporter,
    private readonly poller: QueuePoller,
    private readonly kc: KubeConfig,
    private readonly log: (line: string) => void,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.label = glueLabel(opts.name);
  }

  get workerId(): string {
    return this.opts.name;
  }

  /** The pods this glue follows now, by pod name. */
  get pods(): string[] {
    return [...this.tracked.keys()];
  }

  static async start(options: GlueOptions): Promise<K8sGlue> {
    const log = options.log ?? ((line: string) => console.log(`${new Date().toISOString()} cairn-k8s: ${line}`));
    const name = options.name ?? `k8s-glue:${hostname()}`;
    if (options.queues.length === 0) throw new Error('name at least one queue to pull from (--queue NAME)');
    const kc = options.kubeConfig ?? (() => {
      const k = new KubeConfig();
      k.loadFromDefault();
      return k;
    })();
    const session = new Session({ ...options.config, retry: { retries: Infinity }, headers: { 'X-ClearML-Worker': name, 'X-ClearML-Agent': 'cairn-k8s-glue' } });
    await session.login({ retries: 4 });
    const queues: QueueRef[] = [];
    for (const q of options.queues) {
      let id: string;
      try {
        id = await findQueueId(session, q);
      } catch (err) {
        if (!(err instanceof NotFoundError) || !options.createQueues) throw err;
        id = (await session.call<{ id: string }>('queues.create', { name: q })).id;
        log(`created queue ${q}`);
      }
      queues.push({ id, name: q });
    }
    await session.call('workers.register', { worker: name, queues: queues.map((q) => q.id), timeout: 600 }, { retries: 4 });
    const reporter = new StatusReporter(session, name, queues.map((q) => q.id), 30_000, new MachineStatsSampler({}), log);
    const poller = new QueuePoller(session, queues, (options.pollIntervalSec ?? 5) * 1000, log);
    const glue = new K8sGlue({ ...options, name }, session, queues, reporter, poller, kc, log);
    await glue.watchPods();
    reporter.start();
    glue.loops = [glue.pullLoop(), glue.checkLoop()];
    log(`glue ${name} pulling from ${queues.map((q) => q.name).join(', ')} into namespace ${options.namespace}${options.maxPods ? `, at most ${options.maxPods} pods` : ''}`);
    return glue;
  }

  /** Stops pulling and watching; the pods and their tasks go on (a restarted glue adopts them). */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('glue stopping'));
    for (const wake of this.capacityFreed) wake();
    await Promise.allSettled(this.loops);
    await this.informer?.stop();
    await this.reporter.stop();
    await this.session.call('workers.unregister', { worker: this.opts.name, queues: this.queues.map((q) => q.id) }, { retries: 3 }).catch(() => undefined);
  }

  // ------------------------------------------------------------------ pulling

  private hasRoom(): boolean {
    const live = [...this.tracked.values()].filter((t) => !t.deleting).length;
    return !this.opts.maxPods || live < this.opts.maxPods;
  }

  private waitForRoom(): Promise<void> {
    if (this.hasRoom() || this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        if (!this.hasRoom() && !this.stopping.signal.aborted) return;
        this.capacityFreed.delete(wake);
        resolve();
      };
      this.capacityFreed.add(wake);
    });
  }

  private async pullLoop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.waitForRoom();
        const pick = await this.poller.next(this.stopping.signal);
        if (!pick) return;
        await this.launch(pick);
      } catch (err) {
        if (this.stopping.signal.aborted) return;
        this.log(`error while pulling: ${(err as Error).stack ?? err}`);
        await sleep(1_000, this.stopping.signal).catch(() => undefined);
      }
    }
  }

  private templateFor(queue: QueueRef): unknown {
    const byQueue = this.opts.queueTemplates?.[queue.name] ?? this.opts.queueTemplates?.[queue.id];
    return mergePodTemplates(this.opts.baseTemplate ?? {}, byQueue);
  }

  private settings(): PodSettings {
    const c = this.opts.config;
    return {
      namespace: this.opts.namespace,
      glueId: this.opts.name,
      defaultImage: this.opts.defaultImage ?? 'python:3.11-slim',
      runnerImage: this.opts.runnerImage,
      apiHost: c.apiHost,
      webHost: c.webHost,
      filesHost: c.filesHost,
      credentials: this.podCredentials(),
    };
  }

  private podCredentials(): PodSettings['credentials'] {
    const given = this.opts.podCredentialsSecret;
    if (!given) return { accessKey: this.opts.config.accessKey, secretKey: this.opts.config.secretKey };
    const [secret, accessKeyKey, secretKeyKey] = given.split(':');
    return { secret, accessKeyKey, secretKeyKey };
  }

  private async launch(pick: Pick): Promise<void> {
    const { taskId, queue } = pick;
    const task = (await this.session.call<{ task: TaskForPod }>('tasks.get_by_id', { task: taskId })).task;
    const pod = buildPod(this.templateFor(queue), task, queue, this.settings());
    const name = pod.metadata!.name!;
    const namespace = pod.metadata!.namespace!;
    this.tracked.set(name, { taskId, queue, pod: name, created: Date.now() });
    await this.console(taskId, `task ${taskId} pulled from ${queue.name} by worker ${this.opts.name}; creating pod ${name} in namespace ${namespace}`);
    try {
      await this.core.createNamespacedPod({ namespace, body: pod });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 409) {
        this.log(`pod ${name} exists already: following it`);
        return;
      }
      this.tracked.delete(name);
      const why = `Kubernetes refused the pod: ${apiMessage(err)}`;
      await this.console(taskId, why, 'error');
      await this.status('tasks.failed', taskId, { status_reason: why.slice(0, 500), status_message: `Changed by cairn k8s glue ${this.opts.name}` });
      return;
    }
    await this.tell(this.tracked.get(name)!, 'Pending: pod created, waiting for Kubernetes to schedule it');
  }

  // ------------------------------------------------------------------ following pods

  private async watchPods(): Promise<void> {
    const namespace = this.opts.namespace;
    const selector = `${LABELS.glue}=${this.label}`;
    const informer = makeInformer<V1Pod>(this.kc, `/api/v1/namespaces/${namespace}/pods`,
      () => this.core.listNamespacedPod({ namespace, labelSelector: selector }), selector);
    const seen = (pod: V1Pod) => void this.onPod(pod).catch((err) => this.log(`while following ${pod.metadata?.name}: ${(err as Error).stack ?? err}`));
    informer.on('add', seen);
    informer.on('update', seen);
    informer.on('delete', (pod) => void this.onPodGone(pod).catch((err) => this.log(`pod ${pod.metadata?.name} gone: ${(err as Error).message}`)));
    informer.on('error', (err) => {
      if (this.stopping.signal.aborted) return;
      this.log(`pod watch interrupted (${(err as Error)?.message ?? err}); watching again in 2 s`);
      setTimeout(() => void informer.start().catch(() => undefined), 2_000).unref();
    });
    this.informer = informer;
    await informer.start();
  }

  private trackedFor(pod: V1Pod): Tracked | undefined {
    const name = pod.metadata?.name;
    if (!name) return undefined;
    let t = this.tracked.get(name);
    const taskId = pod.metadata?.labels?.[LABELS.task];
    if (!t && taskId) {
      // a pod of this glue made before a restart: follow it again
      t = { taskId, queue: { id: pod.metadata?.labels?.[LABELS.queue] ?? '', name: pod.metadata?.labels?.[LABELS.queueName] ?? '' }, pod: name, created: Date.parse(String(pod.metadata?.creationTimestamp ?? '')) || Date.now() };
      this.tracked.set(name, t);
      this.log(`following pod ${name} of task ${taskId} again`);
    }
    return t;
  }

  private async onPod(pod: V1Pod): Promise<void> {
    const t = this.trackedFor(pod);
    if (!t || t.deleting) return;
    const verdict = podVerdict(pod);
    const previous = t.verdict;
    t.verdict = verdict;
    if (verdict.kind === 'unschedulable' || verdict.kind === 'waiting') {
      await this.tell(t, describeVerdict(verdict));
      return;
    }
    if (verdict.kind === 'running') {
      if (previous?.kind !== 'running') await this.console(t.taskId, `pod ${t.pod} is running on node ${pod.spec?.nodeName ?? '?'}`);
      return;
    }
    if (isFinal(verdict) && t.endedAt === undefined) {
      t.endedAt = Date.now();
      await this.podEnded(t, pod, verdict);
    }
  }

  /** The pod will not run the task (any more): a task that has no final status yet fails, saying why. */
  private async podEnded(t: Tracked, pod: V1Pod, verdict: PodVerdict): Promise<void> {
    const status = await this.taskStatus(t.taskId);
    if (status && FINAL.has(status)) {
      t.taskFinal = true;
      if (!this.opts.keepFinishedSec) await this.deletePod(t);
      return;
    }
    const why = verdict.kind === 'succeeded' || (verdict.kind === 'failed' && verdict.exitCode === 0)
      ? 'the pod ended before the task reported a result'
      : describeVerdict(verdict);
    if (verdict.kind !== 'image-pull') {
      const lines = await this.podLogTail(pod);
      if (lines.length > 0) await this.console(t.taskId, `last lines of pod ${t.pod}:\n${lines.join('\n')}`);
    }
    await this.console(t.taskId, `K8s: ${why}`, 'error');
    t.taskFinal = true;
    await this.status('tasks.failed', t.taskId, { status_reason: why.slice(0, 500), status_message: `Changed by cairn k8s glue ${this.opts.name}` });
    await this.deletePod(t);
  }

  private async onPodGone(pod: V1Pod): Promise<void> {
    const name = pod.metadata?.name;
    if (!name) return;
    const t = this.tracked.get(name);
    this.tracked.delete(name);
    for (const wake of this.capacityFreed) wake();
    if (!t || t.deleting || t.taskFinal) return;
    const status = await this.taskStatus(t.taskId);
    if (!status || FINAL.has(status)) return;
    const why = 'the pod was deleted before the task finished';
    await this.console(t.taskId, `K8s: ${why}`, 'error');
    await this.status('tasks.failed', t.taskId, { status_reason: why, status_message: `Changed by cairn k8s glue ${this.opts.name}` });
  }

  private async podLogTail(pod: V1Pod): Promise<string[]> {
    try {
      const text = await this.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, container: MAIN_CONTAINER, tailLines: LOG_TAIL_LINES });
      return String(text).split('\n').filter((l) => l.trim() !== '');
    } catch {
      return [];
    }
  }

  private async deletePod(t: Tracked): Promise<void> {
    t.deleting = true;
    try {
      await this.core.deleteNamespacedPod({ name: t.pod, namespace: this.opts.namespace, gracePeriodSeconds: 5 });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) this.log(`deleting pod ${t.pod}: ${apiMessage(err)}`);
    }
    for (const wake of this.capacityFreed) wake();
  }

  // ------------------------------------------------------------------ tasks of live pods

  /** Aborted or finished tasks lose their pods; pods pending too long fail their tasks. */
  private async checkLoop(): Promise<void> {
    const every = this.opts.checkIntervalMs ?? 2_000;
    while (!this.stopping.signal.aborted) {
      await sleep(every, this.stopping.signal).catch(() => undefined);
      if (this.stopping.signal.aborted) return;
      try {
        await this.checkTasks();
      } catch (err) {
        this.log(`checking tasks: ${(err as Error).message}`);
      }
    }
  }

  private async checkTasks(): Promise<void> {
    const live = [...this.tracked.values()].filter((t) => !t.deleting);
    if (live.length === 0) return;
    const { tasks } = await this.session.call<{ tasks: { id: string; status: string }[] }>('tasks.get_all', { id: live.map((t) => t.taskId), only_fields: ['id', 'status'] });
    const statusOf = new Map(tasks.map((t) => [t.id, t.status]));
    const now = Date.now();
    for (const t of live) {
      const status = statusOf.get(t.taskId);
      if (status === undefined || FINAL.has(status)) {
        t.endedAt ??= now;
        t.taskFinal = true;
        // A running pod whose task is final exits by itself once its runner is done (or,
        // aborted, once it has killed the task); it is deleted after a grace all the same.
        const podEnded = t.verdict !== undefined && isFinal(t.verdict);
        const wait = podEnded ? (this.opts.keepFinishedSec ?? 0) * 1000 : t.verdict?.kind === 'running' ? RUNNING_GRACE_MS : 0;
        if (now - t.endedAt >= wait) {
          if (!podEnded) this.log(`task ${t.taskId} is ${status ?? 'deleted'}: deleting its pod ${t.pod}`);
          await this.deletePod(t);
        }
        continue;
      }
      const pendingFor = now - t.created;
      if (this.opts.pendingTimeoutSec && t.verdict?.kind !== 'running' && !(t.verdict && isFinal(t.verdict)) && pendingFor > this.opts.pendingTimeoutSec * 1000) {
        const why = `the pod did not start within ${this.opts.pendingTimeoutSec} s${t.told ? ` (${t.told})` : ''}`;
        await this.console(t.taskId, `K8s: ${why}`, 'error');
        t.taskFinal = true;
        await this.status('tasks.failed', t.taskId, { status_reason: why.slice(0, 500), status_message: `Changed by cairn k8s glue ${this.opts.name}` });
        await this.deletePod(t);
      }
    }
  }

  // ------------------------------------------------------------------ telling the task

  /** A status message and a console line, each time what there is to say changes. */
  private async tell(t: Tracked, sentence: string): Promise<void> {
    if (t.told === sentence) return;
    t.told = sentence;
    await this.console(t.taskId, `K8s: ${sentence}`);
    try {
      await this.session.call('tasks.update', { task: t.taskId, status_message: sentence.slice(0, 500) });
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
    }
  }

  private async console(taskId: string, msg: string, level: 'info' | 'error' = 'info'): Promise<void> {
    const line = JSON.stringify({ type: 'log', task: taskId, timestamp: Date.now(), level, worker: this.opts.name, msg });
    try {
      await this.session.callJsonLines('events.add_batch', [line]);
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
      this.log(`console of task ${taskId}: ${err.message}`);
    }
  }

  private async status(endpoint: string, taskId: string, fields: Record<string, unknown>): Promise<void> {
    try {
      await this.session.call(endpoint, { task: taskId, force: true, ...fields });
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
      this.log(`${endpoint} for task ${taskId}: ${err.message}`);
    }
  }

  private async taskStatus(taskId: string): Promise<string | undefined> {
    try {
      return (await this.session.call<{ task: { status: string } }>('tasks.get_by_id', { task: taskId })).task.status;
    } catch (err) {
      if (err instanceof ApiCallError) return undefined;
      throw err;
    }
  }
}

function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return (err as Error).message ?? String(err);
}

export { podName };
