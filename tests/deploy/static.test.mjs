/**
 * What can be checked of the images and charts without a container engine: every base
 * image pinned to a version, no `latest` anywhere, a non-root user, every file a
 * Dockerfile copies from the build context and every path an entrypoint names present,
 * and the charts' default images being the ones the Dockerfiles build, at the version
 * the charts ship (their appVersion, which is the packages' version).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMAGES = join(ROOT, 'deploy/images');
const dockerfiles = readdirSync(IMAGES).filter((f) => f.endsWith('.Dockerfile'));

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(text) {
  return text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), args: l.slice(l.indexOf(' ') + 1).trim() }));
}

function* filesUnder(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* filesUnder(p);
    else yield p;
  }
}

test('there is a server image and an agent image', () => {
  assert.deepEqual(dockerfiles.sort(), ['agent.Dockerfile', 'server.Dockerfile']);
});

for (const file of dockerfiles) {
  test(`${file}: pinned bases, a non-root user, sources that exist, an entrypoint that is there`, () => {
    const ins = instructions(readFileSync(join(IMAGES, file), 'utf8'));
    const froms = ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    assert.ok(froms.length >= 1);
    for (const image of froms) assert.match(image, /^[\w./-]+:\d+(\.\d+)+[\w.-]*$/, `${image} is pinned to a version`);
    const last = ins.slice(ins.map((i) => i.op).lastIndexOf('FROM'));
    const user = last.filter((i) => i.op === 'USER').map((i) => i.args).pop();
    assert.ok(user && user !== 'root' && user !== '0', `${file} runs as a non-root user (USER ${user})`);
    for (const copy of ins.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
      const parts = copy.args.split(/\s+/);
      for (const src of parts.slice(0, -1)) assert.ok(existsSync(join(ROOT, src)), `${file}: COPY ${src} exists in the build context`);
    }
    const entry = JSON.parse(last.find((i) => i.op === 'ENTRYPOINT').args);
    // the entrypoint's script, mapped back from the image path to the build context
    const script = entry.find((a) => a.endsWith('.js'));
    const inContext = script.replace(/^\/opt\/cairn\/(app\/)?/, '');
    assert.ok(existsSync(join(ROOT, inContext)), `${file}: the entrypoint script ${script} comes from ${inContext}`);
  });
}

test('the runner script the pods copy exists, is executable and names paths the agent image has', () => {
  const runTask = join(IMAGES, 'run-task');
  assert.ok(statSync(runTask).mode & 0o111, 'run-task is executable');
  const text = readFileSync(runTask, 'utf8');
  assert.match(text, /^#!\/bin\/sh\n/);
  assert.match(text, /\$here\/node\/bin\/node" "\$here\/app\/packages\/cli\/bin\/cairn\.js" agent run-task/);
  const agent = readFileSync(join(IMAGES, 'agent.Dockerfile'), 'utf8');
  assert.match(agent, /COPY --from=build \/usr\/local\/bin\/node \/opt\/cairn\/node\/bin\/node/);
  assert.match(agent, /COPY deploy\/images\/run-task \/opt\/cairn\/run-task/);
});

test('nothing under deploy/ says latest; charts default to the images built here, at the packages\' version', () => {
  for (const f of filesUnder(join(ROOT, 'deploy'))) assert.doesNotMatch(readFileSync(f, 'utf8'), /:latest\b|tag:\s*["']?latest/, f);
  const version = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')).version;
  for (const [chart, repository] of [['cairn', 'cairn-server'], ['cairn-agent', 'cairn-agent']]) {
    const chartYaml = readFileSync(join(ROOT, 'deploy/helm', chart, 'Chart.yaml'), 'utf8');
    assert.match(chartYaml, new RegExp(`appVersion: "${version.replace(/\./g, '\\.')}"`), `${chart} appVersion is ${version}`);
    const values = readFileSync(join(ROOT, 'deploy/helm', chart, 'values.yaml'), 'utf8');
    assert.match(values, new RegExp(`repository: ${repository}\\n`), `${chart} defaults to the ${repository} image`);
    assert.match(values, /tag: ""/, `${chart} takes its tag from appVersion`);
    assert.match(values, /pullPolicy: IfNotPresent/);
  }
});
