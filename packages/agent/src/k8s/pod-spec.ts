import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';

/**
 * The Pod of one task: the base template, then the queue's template over it, then what
 * the task asks for (its image, `-e` variables from its container arguments, its setup
 * script) and what the runner needs. The runner (Node and the Cairn agent) is not
 * installed from the internet at start: an init container of the Cairn agent image
 * copies it into a shared volume, so a task image needs only Python and git.
 */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  glue: 'cairn.dev/glue',
  task: 'cairn.dev/task',
  queue: 'cairn.dev/queue',
  queueName: 'cairn.dev/queue-name',
} as const;

export const RUNNER_VOLUME = 'cairn-runner';
export const RUNNER_DIR = '/cairn';
export const MAIN_CONTAINER = 'task';

export interface TaskForPod {
  id: string;
  name: string;
  container?: { image?: string; arguments?: string; setup_shell_script?: string };
}

export interface PodSettings {
  namespace: string;
  /** the glue's worker id; its hash labels every pod it owns */
  glueId: string;
  defaultImage: string;
  /** image with the runner under /opt/cairn (the Cairn agent image) */
  runnerImage: string;
  apiHost: string;
  webHost: string;
  filesHost: string;
  /** a Secret holding the key pair (keys `access_key` and `secret_key` unless named), or the pair itself (put into the pod spec) */
  credentials: { secret: string; accessKeyKey?: string; secretKeyKey?: string } | { accessKey: string; secretKey: string };
}

/** `cairn.dev/glue` value: short, label-safe and stable for one glue id. */
export const glueLabel = (glueId: string) => createHash('md5').update(glueId).digest('hex').slice(0, 12);

/** A label value: lower-case letters, digits, `-`, `_`, `.`, at most 63, alphanumeric at both ends. */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

export const podName = (taskId: string) => `cairn-task-${taskId}`;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lists of named things merge by name (containers, env, volumes, mounts); other lists and values are replaced. */
export function mergeTemplates(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (isObject(base) && isObject(over)) {
    const out: Json = structuredClone(base);
    for (const [k, v] of Object.entries(over)) out[k] = mergeTemplates(base[k], v);
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over) && [...base, ...over].every((x) => isObject(x) && typeof x.name === 'string')) {
    const out = (structuredClone(base) as Json[]);
    for (const item of over as Json[]) {
      const i = out.findIndex((x) => x.name === item.name);
      if (i >= 0) out[i] = mergeTemplates(out[i], item) as Json;
      else out.push(structuredClone(item));
    }
    return out;
  }
  return structuredClone(over);
}

/**
 * A queue's pod template over the base one. The first container of each is the task's,
 * whatever each template calls it, so those two merge; other containers merge by name.
 */
export function mergePodTemplates(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  const first = (t: unknown) => (isObject(t) && isObject(t.spec) && Array.isArray(t.spec.containers) && isObject(t.spec.containers[0]) ? t.spec.containers[0] : undefined);
  const b = first(base);
  const o = structuredClone(over);
  const oc = first(o);
  if (b && oc) oc.name = b.name ?? MAIN_CONTAINER;
  return mergeTemplates(base, o);
}

/** `-e KEY=VALUE` / `--env KEY=VALUE` of the task's container arguments; other docker flags mean nothing in a pod. */
export function envFromArguments(args: string | undefined): V1EnvVar[] {
  if (!args) return [];
  const words = args.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const out: V1EnvVar[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    let pair: string | undefined;
    if (w === '-e' || w === '--env') pair = words[++i];
    else if (w.startsWith('--env=')) pair = w.slice(6);
    if (!pair) continue;
    pair = pair.replace(/^(["'])(.*)\1$/, '$2');
    const eq = pair.indexOf('=');
    if (eq > 0) out.push({ name: pair.slice(0, eq), value: pair.slice(eq + 1) });
  }
  return out;
}

function credentialEnv(c: PodSettings['credentials']): V1EnvVar[] {
  if ('secret' in c) {
    return [
      { name: 'CLEARML_API_ACCESS_KEY', valueFrom: { secretKeyRef: { name: c.secret, key: c.accessKeyKey ?? 'access_key' } } },
      { name: 'CLEARML_API_SECRET_KEY', valueFrom: { secretKeyRef: { name: c.secret, key: c.secretKeyKey ?? 'secret_key' } } },
    ];
  }
  return [{ name: 'CLEARML_API_ACCESS_KEY', value: c.accessKey }, { name: 'CLEARML_API_SECRET_KEY', value: c.secretKey }];
}

/** The shell line the task container runs: the task's setup script, then the runner. */
export function startScript(setup: string | undefined): string {
  const runner = `exec "\${CAIRN_RUNNER_DIR:-${RUNNER_DIR}}/run-task"`;
  return setup && setup.trim() ? `set -e\n${setup.trim()}\n${runner}` : runner;
}

export function buildPod(template: unknown, task: TaskForPod, queue: { id: string; name: string }, s: PodSettings): V1Pod {
  const pod = (isObject(template) ? structuredClone(template) : {}) as V1Pod & Json;
  pod.apiVersion = 'v1';
  pod.kind = 'Pod';
  const meta = (pod.metadata ??= {});
  meta.name = podName(task.id);
  meta.namespace ??= s.namespace;
  meta.labels = {
    ...meta.labels,
    [LABELS.managedBy]: 'cairn-agent',
    [LABELS.glue]: glueLabel(s.glueId),
    [LABELS.task]: task.id,
    [LABELS.queue]: queue.id,
    [LABELS.queueName]: labelValue(queue.name),
  };
  meta.annotations = { ...meta.annotations, 'cairn.dev/task-name': task.name.slice(0, 1000), 'cairn.dev/worker': s.glueId };
  const spec = (pod.spec ??= { containers: [] });
  spec.restartPolicy ??= 'Never';
  spec.volumes = [...(spec.volumes ?? []).filter((v) => v.name !== RUNNER_VOLUME), { name: RUNNER_VOLUME, emptyDir: {} }];
  const mount = { name: RUNNER_VOLUME, mountPath: RUNNER_DIR };
  spec.initContainers = [
    ...(spec.initContainers ?? []).filter((c) => c.name !== 'cairn-runner'),
    {
      name: 'cairn-runner',
      image: s.runnerImage,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '-c', `cp -a /opt/cairn/. ${RUNNER_DIR}/`],
      volumeMounts: [mount],
    },
  ];
  const base: V1Container = spec.containers?.[0] ?? { name: MAIN_CONTAINER };
  const ours: V1EnvVar[] = [
    { name: 'CAIRN_TASK_ID', value: task.id },
    { name: 'CAIRN_RUNNER_DIR', value: RUNNER_DIR },
    { name: 'CLEARML_WORKER_ID', value: `${s.glueId}:${task.id.slice(0, 8)}` },
    { name: 'CLEARML_API_HOST', value: s.apiHost },
    { name: 'CLEARML_WEB_HOST', value: s.webHost },
    { name: 'CLEARML_FILES_HOST', value: s.filesHost },
    ...credentialEnv(s.credentials),
  ];
  const env = mergeTemplates(mergeTemplates(base.env ?? [], envFromArguments(task.container?.arguments)), ours) as V1EnvVar[];
  const main: V1Container = {
    ...base,
    name: MAIN_CONTAINER,
    image: task.container?.image || s.defaultImage,
    imagePullPolicy: base.imagePullPolicy ?? 'IfNotPresent',
    command: ['/bin/sh', '-c', startScript(task.container?.setup_shell_script)],
    args: undefined,
    env,
    volumeMounts: [...(base.volumeMounts ?? []).filter((m) => m.name !== RUNNER_VOLUME), mount],
  };
  spec.containers = [main, ...(spec.containers ?? []).slice(1)];
  return pod;
}
