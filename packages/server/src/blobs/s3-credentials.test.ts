import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseHocon } from '@cairn/protocol';
import { S3Credentials, StorageCredentialsError } from './s3-credentials.js';
import { parseS3Url, S3AddressError } from './s3-location.js';
import { testTempDir } from '../testing/temp-dirs.js';
import type { ServerConfig } from '../config.js';
import { describeStorage } from './storage.js';

// The seed's clearml.conf block, as the operator pastes it.
const SEED = `
sdk {
  aws {
    s3 {
      key: "default-key"
      secret: "default-secret"
      credentials: [
        { host: "minio.minio.svc:80", bucket: "clearml", key: "minio", secret: "minio123", multipart: false, secure: false }
        { host: "minio.minio.svc:80", bucket: "models", key: "models-key", secret: "models-secret", secure: false }
        { host: "minio.minio.svc:80", key: "any-bucket-key", secret: "any-bucket-secret", secure: false, verify: false }
        { bucket: "aws-bucket", key: "aws-key", secret: "aws-secret", region: "eu-west-1" }
        { host: "nokey:9000", bucket: "clearml" }
      ]
    }
  }
  development { default_output_uri: "s3://minio.minio.svc:80/clearml" }
}`;

const creds = () => S3Credentials.fromSection((parseHocon(SEED).sdk as any).aws.s3, {});

describe('s3:// addresses', () => {
  test('a first part with a port is a server, then the bucket; otherwise an AWS bucket', () => {
    assert.deepEqual(parseS3Url('s3://minio.minio.svc:80/clearml/proj/task.1/artifacts/a b.txt'),
      { host: 'minio.minio.svc:80', bucket: 'clearml', key: 'proj/task.1/artifacts/a b.txt' });
    assert.deepEqual(parseS3Url('s3://my-bucket/some/key'), { host: null, bucket: 'my-bucket', key: 'some/key' });
    assert.deepEqual(parseS3Url('s3://my-bucket'), { host: null, bucket: 'my-bucket', key: '' });
    assert.throws(() => parseS3Url('s3://minio:9000/'), S3AddressError);
    assert.throws(() => parseS3Url('http://minio:9000/x'), S3AddressError);
  });
});

describe('server-side S3 credentials in the SDK\'s shape', () => {
  test('an address finds its entry by server and bucket, as the SDK finds it', () => {
    const c = creds();
    const clearml = c.forLocation(parseS3Url('s3://minio.minio.svc:80/clearml/a/b'));
    assert.deepEqual([clearml.key, clearml.secret, clearml.secure, clearml.host, clearml.bucket], ['minio', 'minio123', false, 'minio.minio.svc:80', 'clearml']);
    assert.equal(c.forLocation(parseS3Url('s3://minio.minio.svc:80/models/m.pt')).key, 'models-key');
    // an entry with a host and no bucket covers the server's other buckets
    const other = c.forLocation(parseS3Url('s3://minio.minio.svc:80/datasets/d.zip'));
    assert.deepEqual([other.key, other.verify, other.bucket], ['any-bucket-key', false, 'datasets']);
    const aws = c.forLocation(parseS3Url('s3://aws-bucket/k'));
    assert.deepEqual([aws.key, aws.region, aws.host, aws.secure], ['aws-key', 'eu-west-1', null, true]);
    // entries without a key pair are dropped, as the SDK drops them: the defaults apply
    const nokey = c.forLocation(parseS3Url('s3://nokey:9000/clearml/x'));
    assert.deepEqual([nokey.key, nokey.secret, nokey.secure], ['default-key', 'default-secret', true]);
  });

  test('without a file the environment\'s AWS_* variables are the defaults', () => {
    const c = S3Credentials.fromEnv({ AWS_ACCESS_KEY_ID: 'env-key', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_DEFAULT_REGION: 'us-west-2' });
    const got = c.forLocation(parseS3Url('s3://bucket/k'));
    assert.deepEqual([got.key, got.secret, got.region], ['env-key', 'env-secret', 'us-west-2']);
  });

  test('a whole clearml.conf, an aws { s3 } block or an s3 { } block all read; anything else is a clear error', () => {
    const dir = testTempDir('creds-');
    for (const [name, text] of [['full.conf', SEED], ['aws.conf', 'aws { s3 { credentials: [{ host: "h:1", bucket: "b", key: "k", secret: "s" }] } }'], ['s3.conf', 's3 { credentials: [{ host: "h:1", bucket: "b", key: "k", secret: "s" }] }']]) {
      writeFileSync(join(dir, name), text);
      assert.ok(S3Credentials.fromFile(join(dir, name), {}), name);
    }
    writeFileSync(join(dir, 'none.conf'), 'api { host: "x" }');
    assert.throws(() => S3Credentials.fromFile(join(dir, 'none.conf'), {}), (e: Error) => e instanceof StorageCredentialsError && /no sdk\.aws\.s3/.test(e.message));
    assert.throws(() => S3Credentials.fromFile(join(dir, 'missing.conf'), {}), (e: Error) => e instanceof StorageCredentialsError && /cannot read/.test(e.message));
    writeFileSync(join(dir, 'bad.conf'), 's3 { credentials: "nope" }');
    assert.throws(() => S3Credentials.fromFile(join(dir, 'bad.conf'), {}), /must be a list/);
  });
});

describe('what the start-up banner says of storage', () => {
  const config = (over: Partial<ServerConfig>) => ({ filesStore: null, storageCredentials: null, ...over }) as unknown as ServerConfig;

  test('the addresses a credentials file gives keys for, and where uploads go; never a key or secret', () => {
    const file = join(testTempDir('banner-'), 'storage.conf');
    writeFileSync(file, SEED);
    const said = describeStorage(config({ storageCredentials: file, filesStore: 's3://minio.minio.svc:80/clearml/cairn-files' }), {});
    assert.equal(said.files, 's3://minio.minio.svc:80/clearml/cairn-files');
    assert.equal(said.s3, `keys for s3://aws-bucket, s3://minio.minio.svc:80, s3://minio.minio.svc:80/clearml, s3://minio.minio.svc:80/models, and a default key (from ${file})`);
    for (const secret of ['minio123', 'models-secret', 'any-bucket-secret', 'aws-secret', 'default-secret', 'models-key', 'aws-key']) {
      assert.ok(!said.s3.includes(secret), secret);
    }
  });

  test('without a file: the environment\'s AWS key, or none and what that means', () => {
    assert.deepEqual(describeStorage(config({}), { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' }), {
      files: 'data folder', s3: 'a default key for every bucket (from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    });
    assert.match(describeStorage(config({}), {}).s3, /^no keys: objects the SDK stores in S3 cannot be shown or deleted/);
  });
});
