import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ClientConfigError, deriveHost, loadClientConfig } from './config.js';
import { hoconGet, HoconError, parseHocon } from '@cairn/protocol';

const dir = mkdtempSync(join(tmpdir(), 'cairn-client-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The shape `clearml-init` writes, plus an sdk section with lists, comments and URLs.
const CLEARML_CONF = `
# ClearML SDK configuration file
api {
    # Notice: 'host' is the api server (default port 8008), not the web server.
    api_server: http://localhost:8008
    web_server: http://localhost:8080
    files_server: http://localhost:8081
    // Credentials are generated using the webapp
    credentials {"access_key": "CONFKEY", "secret_key": "conf/secret=="}
}
sdk {
    storage.cache.default_base_dir: "~/.clearml/cache"
    aws { s3 { credentials: [ { bucket: "b", key: "k" }, ] } }
    development {
        default_output_uri: ""
        worker { report_period_sec: 2, ping_period_sec: 30 }
        detect_with_pip_freeze: false
    }
    description = """multi
line"""
}
api.http.max_req_size = 1024
`;

describe('parseHocon', () => {
  test('reads the clearml-init layout', () => {
    const conf = parseHocon(CLEARML_CONF);
    assert.equal(hoconGet(conf, 'api.api_server'), 'http://localhost:8008');
    assert.equal(hoconGet(conf, 'api.credentials.access_key'), 'CONFKEY');
    assert.equal(hoconGet(conf, 'api.credentials.secret_key'), 'conf/secret==');
    assert.equal(hoconGet(conf, 'api.http.max_req_size'), 1024);
    assert.equal(hoconGet(conf, 'sdk.storage.cache.default_base_dir'), '~/.clearml/cache');
    assert.deepEqual(hoconGet(conf, 'sdk.aws.s3.credentials'), [{ bucket: 'b', key: 'k' }]);
    assert.equal(hoconGet(conf, 'sdk.development.worker.ping_period_sec'), 30);
    assert.equal(hoconGet(conf, 'sdk.development.detect_with_pip_freeze'), false);
    assert.equal(hoconGet(conf, 'sdk.description'), 'multi\nline');
    // the later `api.http` merged into the earlier `api` object instead of replacing it
    assert.equal(hoconGet(conf, 'api.web_server'), 'http://localhost:8080');
  });

  test('a root in braces, = separators and quoted keys', () => {
    const conf = parseHocon('{ "a.b" = 1, c { d = "x" } }');
    assert.deepEqual(conf, { 'a.b': 1, c: { d: 'x' } });
  });

  test('reports the line of a syntax error', () => {
    assert.throws(() => parseHocon('api {\n  api_server http://x\n}'), (err: unknown) => err instanceof HoconError && /line 2/.test(err.message));
    assert.throws(() => parseHocon('api {\n  a: 1\n'), /missing '}'/);
  });
});

describe('loadClientConfig', () => {
  const file = join(dir, 'clearml.conf');
  writeFileSync(file, CLEARML_CONF);

  test('reads clearml.conf from CLEARML_CONFIG_FILE', () => {
    assert.deepEqual(loadClientConfig({ env: { CLEARML_CONFIG_FILE: file } }), {
      apiHost: 'http://localhost:8008', webHost: 'http://localhost:8080', filesHost: 'http://localhost:8081', accessKey: 'CONFKEY', secretKey: 'conf/secret==',
    });
  });

  test('reads ~/clearml.conf from HOME', () => {
    assert.equal(loadClientConfig({ env: { HOME: dir } }).accessKey, 'CONFKEY');
  });

  test('environment wins over the file, CAIRN_* over CLEARML_*', () => {
    const c = loadClientConfig({
      env: { CLEARML_CONFIG_FILE: file, CLEARML_API_HOST: 'http://api.example.com:8008/', CLEARML_API_ACCESS_KEY: 'ENVKEY', CAIRN_API_ACCESS_KEY: 'CAIRNKEY' },
    });
    assert.equal(c.apiHost, 'http://api.example.com:8008');
    assert.equal(c.accessKey, 'CAIRNKEY');
    assert.equal(c.secretKey, 'conf/secret==');
    assert.equal(c.webHost, 'http://localhost:8080');
  });

  test('derives web and files hosts from the API host as ClearML does', () => {
    const c = loadClientConfig({ env: { HOME: join(dir, 'nowhere'), CLEARML_API_HOST: 'https://api.ml.example.com', CLEARML_API_ACCESS_KEY: 'k', CLEARML_API_SECRET_KEY: 's' } });
    assert.equal(c.webHost, 'https://app.ml.example.com');
    assert.equal(c.filesHost, 'https://files.ml.example.com');
    assert.equal(deriveHost('http://10.0.0.1:8008', 'files'), 'http://10.0.0.1:8081');
    assert.equal(deriveHost('http://cairn.local:9000', 'web'), '');
  });

  test('says what is missing', () => {
    assert.throws(() => loadClientConfig({ env: { HOME: join(dir, 'nowhere') } }), (err: unknown) => err instanceof ClientConfigError && /CLEARML_API_HOST/.test(err.message));
    assert.throws(() => loadClientConfig({ env: { HOME: join(dir, 'nowhere'), CLEARML_API_HOST: 'http://x:8008' } }), /CLEARML_API_ACCESS_KEY/);
    assert.throws(() => loadClientConfig({ env: {}, configFile: join(dir, 'absent.conf') }), /does not exist/);
  });
});
