import type { V1Pod } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPod, envFromArguments, glueLabel, labelValue, LABELS, mergePodTemplates, mergeTemplates, startScript, type PodSettings } from './pod-spec.js';
import { describeVerdict, podVerdict } from './pod-verdict.js';

const settings: PodSettings = {
  namespace: 'ml', glueId: 'k8s-glue:test', defaultImage: 'python:3.11-slim', runnerImage: 'cairn-agent:0.1.0',
  apiHost: 'http://cairn:8008', webHost: 'http://cairn:8080', filesHost: 'http://cairn:8081', credentials: { secret: 'cairn-agent-keys' },
};

// the shape of the seed's basePodTemplate, as the agent chart renders it
const BASE = {
  metadata: { labels: { team: 'vision' }, annotations: { 'example.com/owner': 'ml' } },
  spec: {
    serviceAccountName: 'trainer', schedulerName: 'default-scheduler', imagePullSecrets: [{ name: 'regcred' }],
    nodeSelector: { gpu: 'true' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    volumes: [{ name: 'datasets', hostPath: { path: '/mnt/data' } }],
    containers: [{
      name: 'whatever', resources: { limits: { 'nvidia.com/gpu': '1', memory: '16Gi' } },
      env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }, { name: 'CLEARML_API_HOST', value: 'http://wrong' }],
      volumeMounts: [{ name: 'datasets', mountPath: '/data' }],
    }],
  },
};

test('the pod carries the template, the task\'s image and variables, the runner and labels tying it to task and queue', () => {
  const cpu = { spec: { nodeSelector: { gpu: 'false', pool: 'cpu' }, containers: [{ name: 'x', resources: { limits: { 'nvidia.com/gpu': '0' } } }] } };
  const template = mergeTemplates(BASE, undefined);
  const pod = buildPod(template, {
    id: '0123456789abcdef0123456789abcdef', name: 'resnet 50',
    container: { image: 'pytorch/pytorch:2.5.1-cuda12.4', arguments: '--ipc=host -e WANDB_MODE=offline --env "A=b c"', setup_shell_script: 'apt-get install -y libgl1' },
  }, { id: 'q1', name: 'GPU Queue' }, settings);
  assert.equal(pod.metadata?.name, 'cairn-task-0123456789abcdef0123456789abcdef');
  assert.equal(pod.metadata?.namespace, 'ml');
  assert.deepEqual(pod.metadata?.labels, {
    team: 'vision', [LABELS.managedBy]: 'cairn-agent', [LABELS.glue]: glueLabel('k8s-glue:test'),
    [LABELS.task]: '0123456789abcdef0123456789abcdef', [LABELS.queue]: 'q1', [LABELS.queueName]: 'gpu-queue',
  });
  assert.equal(pod.metadata?.annotations?.['example.com/owner'], 'ml');
  const spec = pod.spec!;
  assert.equal(spec.restartPolicy, 'Never');
  assert.equal(spec.serviceAccountName, 'trainer');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.deepEqual(spec.imagePullSecrets, [{ name: 'regcred' }]);
  assert.deepEqual(spec.nodeSelector, { gpu: 'true' });
  assert.equal(spec.tolerations?.[0].key, 'nvidia.com/gpu');
  assert.deepEqual(spec.volumes?.map((v) => v.name), ['datasets', 'cairn-runner']);
  assert.equal(spec.initContainers?.[0].image, 'cairn-agent:0.1.0');
  const main = spec.containers[0];
  assert.equal(main.name, 'task');
  assert.equal(main.image, 'pytorch/pytorch:2.5.1-cuda12.4');
  assert.equal(main.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(main.resources?.limits, { 'nvidia.com/gpu': '1', memory: '16Gi' });
  assert.deepEqual(main.volumeMounts?.map((m) => m.mountPath), ['/data', '/cairn']);
  assert.deepEqual(main.command?.slice(0, 2), ['/bin/sh', '-c']);
  assert.match(main.command![2], /^set -e\napt-get install -y libgl1\nexec "\$\{CAIRN_RUNNER_DIR:-\/cairn\}\/run-task"$/);
  const env = Object.fromEntries(main.env!.map((e) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.NVIDIA_VISIBLE_DEVICES, 'all');
  assert.equal(env.WANDB_MODE, 'offline');
  assert.equal(env.A, 'b c');
  assert.equal(env.CLEARML_API_HOST, 'http://cairn:8008', 'the glue\'s server address wins over the template\'s');
  assert.equal(env.CAIRN_TASK_ID, '0123456789abcdef0123456789abcdef');
  assert.equal(env.CLEARML_WORKER_ID, 'k8s-glue:test:01234567');
  assert.deepEqual(env.CLEARML_API_ACCESS_KEY, { secretKeyRef: { name: 'cairn-agent-keys', key: 'access_key' } });

  // a queue's template over the base one
  const onCpu = buildPod(mergePodTemplates(BASE, cpu), { id: 'a'.repeat(32), name: 't' }, { id: 'q2', name: 'cpu' }, settings);
  assert.deepEqual(onCpu.spec?.nodeSelector, { gpu: 'false', pool: 'cpu' });
  assert.deepEqual(onCpu.spec?.containers[0].resources?.limits, { 'nvidia.com/gpu': '0', memory: '16Gi' });
  assert.equal(onCpu.spec?.containers[0].image, 'python:3.11-slim', 'no image of its own: the default one');
});

test('small helpers: label values, -e arguments, the start line, credentials in the spec without a Secret', () => {
  assert.equal(labelValue('  My Queue/GPU #1 '), 'my-queue-gpu-1');
  assert.equal(labelValue('x'.repeat(80)).length, 63);
  assert.deepEqual(envFromArguments("-e A=1 --env=B=2 --shm-size 8g -e 'C=x y'"), [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: 'x y' }]);
  assert.equal(startScript(undefined), 'exec "${CAIRN_RUNNER_DIR:-/cairn}/run-task"');
  const pod = buildPod({}, { id: 'b'.repeat(32), name: 't' }, { id: 'q', name: 'q' }, { ...settings, credentials: { accessKey: 'K', secretKey: 'S' } });
  const env = Object.fromEntries(pod.spec!.containers[0].env!.map((e) => [e.name, e.value]));
  assert.equal(env.CLEARML_API_ACCESS_KEY, 'K');
});

const pod = (status: V1Pod['status'], limits?: Record<string, string>): V1Pod => ({
  spec: { containers: [{ name: 'task', image: 'nonexistent:1', resources: { limits } }] }, status,
});

test('pod statuses become what the task\'s user reads', () => {
  const cases: Array<[V1Pod, RegExp]> = [
    [pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.' }] }),
      /^Pending: 0\/1 nodes are available: 1 Insufficient nvidia\.com\/gpu\.$/],
    [pod({ phase: 'Pending', containerStatuses: [{ name: 'task', image: 'nonexistent:1', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nonexistent:1"' } } }] }),
      /^image nonexistent:1 cannot be pulled: ImagePullBackOff \(Back-off pulling image "nonexistent:1"\)$/],
    [pod({ phase: 'Running', containerStatuses: [{ name: 'task', image: 'x', imageID: '', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } }, lastState: { terminated: { exitCode: 2, reason: 'Error' } } }] }),
      /CrashLoopBackOff: back-off 10s \(last exit code 2, Error\)/],
    [pod({ phase: 'Failed', containerStatuses: [{ name: 'task', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] }, { memory: '2Gi' }),
      /^out of memory, limit 2Gi/],
    [pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: ephemeral-storage.' }), /^the pod was evicted: The node was low on resource: ephemeral-storage\.$/],
    [pod({ phase: 'Failed', containerStatuses: [{ name: 'task', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 3, reason: 'Error', message: 'boom' } } }] }), /^the pod failed: Error, exit code 3 \(boom\)$/],
    [pod({ phase: 'Running' }), /^the pod is running$/],
  ];
  for (const [p, want] of cases) assert.match(describeVerdict(podVerdict(p)), want);
  assert.equal(podVerdict(pod({ phase: 'Succeeded' })).kind, 'succeeded');
});
