/**
 * The Helm charts (deploy/helm): `helm lint`, what `helm template` renders (ports that
 * cannot disagree, no `latest`, a registry never doubled, a minimal Role, the seed's
 * values files as they are), and `helm install` of both into the test cluster, where
 * the Deployments become ready (pods simulated by kwok) and the Service points at the
 * server's API port. Helm is built by shared/kube (KUBE_LOCAL_HELM=1).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import yaml from 'js-yaml';
import * as k8s from '@kubernetes/client-node';
import { freshNamespace, kubeDown, kubeUp, ROOT, until } from './harness.mjs';

const SERVER = join(ROOT, 'deploy/helm/cairn');
const AGENT = join(ROOT, 'deploy/helm/cairn-agent');
const SEED_AGENT = join(ROOT, 'deploy/helm/examples/seed-clearml-agent-values.yaml');
const SEED_SERVER = join(ROOT, 'deploy/helm/examples/seed-clearml-values.yaml');
const KEYS = ['--set', 'clearml.agentk8sglueKey=K', '--set', 'clearml.agentk8sglueSecret=S'];

let helmBin;
let kubeconfig;
let core;
let apps;

before(() => {
  const up = kubeUp();
  helmBin = up.env.KUBE_LOCAL_HELM;
  assert.ok(helmBin, 'shared/kube/up built helm (KUBE_LOCAL_HELM=1)');
  kubeconfig = up.kubeconfig;
  core = up.kc.makeApiClient(k8s.CoreV1Api);
  apps = up.kc.makeApiClient(k8s.AppsV1Api);
});
after(() => kubeDown());

const helm = (...args) => execFileSync(helmBin, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig, HELM_CACHE_HOME: join(ROOT, '.kube-local', 'helm-cache'), HELM_CONFIG_HOME: join(ROOT, '.kube-local', 'helm-config') } });
const render = (...args) => yaml.loadAll(helm('template', 'rel', ...args)).filter(Boolean);
const byKind = (docs, kind) => docs.filter((d) => d.kind === kind);

describe('helm lint and template', () => {
  test('both charts lint clean, the agent chart with the seed\'s values file', () => {
    assert.match(helm('lint', SERVER), /1 chart\(s\) linted, 0 chart\(s\) failed/);
    assert.match(helm('lint', AGENT, '-f', SEED_AGENT), /1 chart\(s\) linted, 0 chart\(s\) failed/);
    assert.match(helm('lint', SERVER, '-f', SEED_SERVER), /0 chart\(s\) failed/);
  });

  test('server: every Service port targets the container port of the same name, probes ping the API, nothing says latest', () => {
    const docs = render(SERVER, '-f', SEED_SERVER);
    const [dep] = byKind(docs, 'Deployment');
    const [svc] = byKind(docs, 'Service');
    const container = dep.spec.template.spec.containers[0];
    const containerPorts = Object.fromEntries(container.ports.map((p) => [p.name, p.containerPort]));
    assert.deepEqual(containerPorts, { api: 8008, web: 8080, files: 8081 });
    for (const p of svc.spec.ports) {
      assert.equal(typeof p.targetPort, 'string', `${p.name} targets a named port`);
      assert.ok(containerPorts[p.targetPort], `${p.name} → ${p.targetPort} exists in the container`);
      assert.equal(p.port, containerPorts[p.targetPort]);
    }
    assert.deepEqual(svc.spec.ports.map((p) => p.nodePort), [30008, 30080, 30081]);
    assert.equal(container.readinessProbe.httpGet.path, '/debug.ping');
    assert.equal(container.readinessProbe.httpGet.port, 'api');
    assert.equal(container.image, 'cairn-server:0.1.0');
    assert.equal(container.imagePullPolicy, 'IfNotPresent');
    assert.equal(byKind(docs, 'PersistentVolumeClaim')[0].spec.resources.requests.storage, '5Gi');
    assert.doesNotMatch(helm('template', 'rel', SERVER), /:latest\b/);
    assert.equal(dep.spec.template.spec.securityContext.runAsNonRoot, true);
  });

  test('server: S3 settings become its environment, the credentials a mounted Secret it can read (the seed\'s clearml.conf block as it is)', async (t) => {
    const seedConf = yaml.load(readFileSync(SEED_AGENT, 'utf8')).clearml.clearmlConfig;
    const dir = mkdtempSync(join(tmpdir(), 'cairn-chart-storage-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'values.yaml'), yaml.dump({ storage: { filesStore: 's3://minio.minio.svc:80/clearml/cairn-files', s3Credentials: seedConf } }));
    const docs = render(SERVER, '-f', join(dir, 'values.yaml'));
    const spec = byKind(docs, 'Deployment')[0].spec.template.spec;
    const env = Object.fromEntries(spec.containers[0].env.map((e) => [e.name, e.value]));
    assert.equal(env.CAIRN_FILES_STORE, 's3://minio.minio.svc:80/clearml/cairn-files');
    assert.equal(env.CAIRN_STORAGE_CREDENTIALS, '/etc/cairn/storage.conf');
    const mount = spec.containers[0].volumeMounts.find((m) => m.mountPath === '/etc/cairn/storage.conf');
    const secretName = spec.volumes.find((v) => v.name === mount.name).secret.secretName;
    const secret = byKind(docs, 'Secret').find((x) => x.metadata.name === secretName);
    const conf = Buffer.from(secret.data['storage.conf'], 'base64').toString('utf8');
    writeFileSync(join(dir, 'storage.conf'), conf);
    const { S3Credentials } = await import(join(ROOT, 'packages/server/dist/blobs/s3-credentials.js'));
    const { parseS3Url } = await import(join(ROOT, 'packages/server/dist/blobs/s3-location.js'));
    const access = S3Credentials.fromFile(join(dir, 'storage.conf'), {}).forLocation(parseS3Url('s3://minio.minio.svc:80/clearml/x'));
    assert.deepEqual([access.key, access.secret, access.secure], ['minio', 'minio123', false]);
    // without S3 settings there is no such Secret, mount or variable
    const plain = render(SERVER);
    assert.equal(byKind(plain, 'Secret').length, 1);
    assert.ok(!JSON.stringify(plain).includes('CAIRN_STORAGE_CREDENTIALS'));
  });

  test('server: replicaCount > 1 runs on PostgreSQL and S3 (URL in a Secret, no shared volume); without them it refuses to render', () => {
    const shared = ['--set', 'replicaCount=3', '--set', 'database.url=postgres://cairn:pw@pg-postgresql:5432/cairn', '--set', 'storage.filesStore=s3://minio.minio.svc:80/clearml/cairn-files'];
    const docs = render(SERVER, ...shared);
    const dep = byKind(docs, 'Deployment')[0];
    assert.equal(dep.spec.replicas, 3);
    assert.equal(dep.spec.strategy.type, 'RollingUpdate');
    const env = dep.spec.template.spec.containers[0].env.find((e) => e.name === 'CAIRN_DATABASE_URL');
    const secret = byKind(docs, 'Secret').find((x) => x.metadata.name === env.valueFrom.secretKeyRef.name);
    assert.equal(Buffer.from(secret.data[env.valueFrom.secretKeyRef.key], 'base64').toString('utf8'), 'postgres://cairn:pw@pg-postgresql:5432/cairn');
    assert.ok(!JSON.stringify(dep).includes('pw@'), 'the password is only in the Secret');
    assert.deepEqual(dep.spec.template.spec.volumes.find((v) => v.name === 'data'), { name: 'data', emptyDir: {} });
    assert.equal(byKind(docs, 'PersistentVolumeClaim').length, 0);
    const single = byKind(render(SERVER), 'Deployment')[0];
    assert.deepEqual([single.spec.replicas, single.spec.strategy.type], [1, 'Recreate']);
    assert.throws(() => render(SERVER, '--set', 'replicaCount=2'), /needs database\.url/);
    assert.throws(() => render(SERVER, '--set', 'replicaCount=2', '--set', 'database.url=postgres://a@b/c'), /needs storage\.filesStore/);
  });

  test('images: a registry in front only when the repository names none', () => {
    const image = (...args) => byKind(render(SERVER, ...args), 'Deployment')[0].spec.template.spec.containers[0].image;
    assert.equal(image('--set', 'image.registry=docker.io'), 'docker.io/cairn-server:0.1.0');
    assert.equal(image('--set', 'image.registry=docker.io', '--set', 'image.repository=docker.io/me/cairn-server'), 'docker.io/me/cairn-server:0.1.0');
    assert.equal(image('--set', 'image.repository=registry.lan:5000/cairn-server', '--set', 'image.tag=0.1.0-rc1'), 'registry.lan:5000/cairn-server:0.1.0-rc1');
    const glueImage = byKind(render(AGENT, '-f', SEED_AGENT), 'Deployment')[0].spec.template.spec.containers[0].image;
    assert.equal(glueImage, 'docker.io/homelab/clearml-agent-k8s-custom:1.9.2-py311', 'global.imageRegistry docker.io is not put twice');
  });

  test('agent: the seed\'s values file renders the glue with its queue, template and keys; the Role is only pods, their logs and events', () => {
    const docs = render(AGENT, '-f', SEED_AGENT, '--namespace', 'ml');
    const [dep] = byKind(docs, 'Deployment');
    const glue = dep.spec.template.spec.containers[0];
    assert.ok(glue.args.includes('--queue=gpu'));
    assert.ok(glue.args.includes('--create-queue'));
    assert.ok(glue.args.includes('--default-image=nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04'));
    assert.ok(glue.args.includes('--pod-credentials-secret=rel-cairn-agent-ac:agentk8sglue_key:agentk8sglue_secret'));
    const env = Object.fromEntries(glue.env.map((e) => [e.name, e.value ?? e.valueFrom?.secretKeyRef?.key]));
    assert.equal(env.CLEARML_API_HOST, 'http://clearml-apiserver.clearml:8008');
    assert.equal(env.CLEARML_API_ACCESS_KEY, 'agentk8sglue_key');
    const init = dep.spec.template.spec.initContainers[0];
    assert.match(init.command.join(' '), /waiting for the Cairn API at/);
    const [secret] = byKind(docs, 'Secret').filter((s) => s.data?.agentk8sglue_key);
    assert.equal(Buffer.from(secret.data.agentk8sglue_key, 'base64').toString(), 'GLUEKEY0123456789ABC');
    const conf = byKind(docs, 'Secret').find((s) => s.data?.['clearml.conf']);
    assert.match(Buffer.from(conf.data['clearml.conf'], 'base64').toString(), /default_output_uri/);
    const template = yaml.load(byKind(docs, 'ConfigMap')[0].data['template.yaml']);
    assert.equal(template.kind, 'Pod');
    assert.deepEqual(template.spec.containers[0].resources.limits, { 'nvidia.com/gpu': 1 });
    assert.deepEqual(template.spec.nodeSelector, { 'nvidia.com/gpu.present': 'true' });
    assert.equal(template.spec.tolerations[0].key, 'nvidia.com/gpu');
    assert.equal(template.spec.containers[0].volumeMounts[0].mountPath, '/datasets');
    assert.equal(template.metadata.labels.team, 'ml');
    const [role] = byKind(docs, 'Role');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    assert.doesNotMatch(helm('template', 'rel', AGENT, ...KEYS), /:latest\b/);
  });

  test('agent: per-queue templates become files the glue is pointed at', () => {
    const docs = render(AGENT, ...KEYS, '--set', 'agentk8sglue.queue=gpu\\,cpu',
      '--set', 'agentk8sglue.queueTemplates.cpu.nodeSelector.pool=cpu', '--set', 'agentk8sglue.queueTemplates.gpu.resources.limits.nvidia\\.com/gpu=2');
    const args = byKind(docs, 'Deployment')[0].spec.template.spec.containers[0].args;
    assert.ok(args.includes('--queue=gpu') && args.includes('--queue=cpu'));
    assert.ok(args.includes('--queue-template=cpu=/etc/cairn/templates/queue-cpu.yaml'));
    const cm = byKind(docs, 'ConfigMap')[0].data;
    assert.deepEqual(yaml.load(cm['queue-cpu.yaml']).spec.nodeSelector, { pool: 'cpu' });
    assert.deepEqual(yaml.load(cm['queue-gpu.yaml']).spec.containers[0].resources.limits, { 'nvidia.com/gpu': 2 });
  });
});

describe('helm install into the test cluster', () => {
  test('the server chart installs, its Deployment becomes ready and its Service reaches the API port', async () => {
    const namespace = await freshNamespace(core, 'chart-server');
    helm('install', 'cairn', SERVER, '--namespace', namespace, '--set', 'persistence.enabled=false', '--wait', '--timeout', '120s');
    const dep = await apps.readNamespacedDeployment({ name: 'cairn', namespace });
    assert.equal(dep.status.readyReplicas, 1);
    const svc = await core.readNamespacedService({ name: 'cairn', namespace });
    assert.deepEqual(svc.spec.ports.map((p) => [p.name, p.port, p.targetPort]), [['api', 8008, 'api'], ['web', 8080, 'web'], ['files', 8081, 'files']]);
    // The endpoint controller cannot publish endpoints here (the test cluster's pod IPs
    // are on loopback, which EndpointSlices refuse), so resolve the Service as it would:
    // the pods its selector picks, and the container port each named targetPort names.
    const selector = Object.entries(svc.spec.selector).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items.filter((p) => p.status.phase === 'Running');
    assert.equal(pods.length, 1);
    const named = Object.fromEntries(pods[0].spec.containers[0].ports.map((p) => [p.name, p.containerPort]));
    assert.deepEqual(Object.fromEntries(svc.spec.ports.map((p) => [p.name, named[p.targetPort]])), { api: 8008, web: 8080, files: 8081 },
      'each Service port reaches the container port the server listens on');
    assert.ok(pods[0].spec.containers[0].args.includes('--api-port=8008'));
    helm('uninstall', 'cairn', '--namespace', namespace, '--wait');
  });

  test('the agent chart installs with the seed\'s values file and the glue Deployment becomes ready', async () => {
    const namespace = await freshNamespace(core, 'chart-agent');
    // what the migration changes: the image (docs/kubernetes-migration.md)
    helm('install', 'glue', AGENT, '--namespace', namespace, '-f', SEED_AGENT, '--set', 'agentk8sglue.image.repository=cairn-agent', '--set', 'agentk8sglue.image.tag=', '--wait', '--timeout', '120s');
    const dep = await apps.readNamespacedDeployment({ name: 'glue-cairn-agent', namespace });
    assert.equal(dep.status.readyReplicas, 1);
    assert.equal(dep.spec.template.spec.containers[0].image, 'docker.io/cairn-agent:0.1.0');
    helm('uninstall', 'glue', '--namespace', namespace, '--wait');
  });
});
