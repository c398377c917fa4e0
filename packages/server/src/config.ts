import { resolve } from 'node:path';

/**
 * Every server setting, each with a command-line flag and an environment variable so
 * that a container or a Helm chart can set it.
 */
export interface ServerConfig {
  host: string;
  apiPort: number;
  webPort: number;
  filesPort: number;
  /** When set, API, files and web share this one port under /api, /files and /. */
  singlePort: number | null;
  dataDir: string;
  publicApiUrl: string;
  publicWebUrl: string;
  publicFilesUrl: string;
  accessKey?: string;
  secretKey?: string;
  adminPassword?: string;
  maxRequestBytes: number;
  maxUploadBytes: number;
  tokenTtlSeconds: number;
  logRequests: boolean;
  /** A worker silent this long is gone; a worker may register a shorter timeout, not a longer one. */
  workerTimeoutSeconds: number;
  /** A running task not updated (pinged) this long is stopped as non-responsive, whoever runs it. */
  taskTimeoutSeconds: number;
  /** How often the watchdog looks for silent workers and non-responsive tasks. */
  watchdogIntervalSeconds: number;
  /** A request body that stops arriving for this long is cut off with 408. */
  bodyTimeoutSeconds: number;
  /** Failed sign-ins allowed per account in 5 minutes (twice as many per address) before 429. */
  failedLoginLimit: number;
  /** The file server serves anyone, as ClearML's does, instead of asking for a token. */
  publicFiles: boolean;
  /**
   * Host names the web port may be reached by, besides those of the public URLs and
   * loopback: `/config.json` builds the API and file URLs from the request's Host only
   * for these.
   */
  allowedHosts: string[];
  /**
   * Where the file server keeps what it receives: the data folder's `files/` (default),
   * or an S3 address `s3://<host:port>/<bucket>/<prefix>` (`s3://<bucket>/<prefix>` on AWS).
   */
  filesStore: string | null;
  /**
   * A file with the server's own S3 credentials in the SDK's `sdk.aws.s3` shape: for
   * `--files-store`, for showing and deleting objects the SDK wrote to S3.
   */
  storageCredentials: string | null;
  /**
   * A PostgreSQL URL (`postgres://user:pass@host:5432/db`) shared by every replica, in
   * place of the data folder's SQLite file.
   */
  database: string | null;
}

interface Option {
  key: keyof ServerConfig;
  flag: string;
  env: string;
  kind: 'string' | 'int' | 'bool' | 'list';
  help: string;
}

export const OPTIONS: readonly Option[] = [
  { key: 'host', flag: '--host', env: 'CAIRN_HOST', kind: 'string', help: 'address to listen on (default 0.0.0.0)' },
  { key: 'apiPort', flag: '--api-port', env: 'CAIRN_API_PORT', kind: 'int', help: 'API port (default 8008)' },
  { key: 'webPort', flag: '--web-port', env: 'CAIRN_WEB_PORT', kind: 'int', help: 'web UI port (default 8080)' },
  { key: 'filesPort', flag: '--files-port', env: 'CAIRN_FILES_PORT', kind: 'int', help: 'file server port (default 8081)' },
  { key: 'singlePort', flag: '--single-port', env: 'CAIRN_SINGLE_PORT', kind: 'int', help: 'serve everything on this one port under /api, /files and /' },
  { key: 'dataDir', flag: '--data-dir', env: 'CAIRN_DATA_DIR', kind: 'string', help: 'data folder (default ./data)' },
  { key: 'publicApiUrl', flag: '--public-api-url', env: 'CAIRN_PUBLIC_API_URL', kind: 'string', help: 'API URL handed to clients' },
  { key: 'publicWebUrl', flag: '--public-web-url', env: 'CAIRN_PUBLIC_WEB_URL', kind: 'string', help: 'web URL handed to clients' },
  { key: 'publicFilesUrl', flag: '--public-files-url', env: 'CAIRN_PUBLIC_FILES_URL', kind: 'string', help: 'file server URL handed to clients' },
  { key: 'accessKey', flag: '--access-key', env: 'CAIRN_ACCESS_KEY', kind: 'string', help: 'access key created at start-up for automation' },
  { key: 'secretKey', flag: '--secret-key', env: 'CAIRN_SECRET_KEY', kind: 'string', help: 'secret key for --access-key' },
  { key: 'adminPassword', flag: '--admin-password', env: 'CAIRN_ADMIN_PASSWORD', kind: 'string', help: 'password of the admin user made at first start (default: generated and printed)' },
  { key: 'maxRequestBytes', flag: '--max-request-bytes', env: 'CAIRN_MAX_REQUEST_BYTES', kind: 'int', help: 'largest API request body (default 64 MiB)' },
  { key: 'maxUploadBytes', flag: '--max-upload-bytes', env: 'CAIRN_MAX_UPLOAD_BYTES', kind: 'int', help: 'largest file server upload (default 100 GiB)' },
  { key: 'tokenTtlSeconds', flag: '--token-ttl', env: 'CAIRN_TOKEN_TTL', kind: 'int', help: 'lifetime of login tokens in seconds (default 30 days)' },
  { key: 'logRequests', flag: '--log-requests', env: 'CAIRN_LOG_REQUESTS', kind: 'bool', help: 'log every request' },
  { key: 'workerTimeoutSeconds', flag: '--worker-timeout', env: 'CAIRN_WORKER_TIMEOUT', kind: 'int', help: 'seconds without a report after which a worker is gone and its tasks are stopped; also the longest timeout a worker may register with (default 600)' },
  { key: 'taskTimeoutSeconds', flag: '--task-timeout', env: 'CAIRN_TASK_TIMEOUT', kind: 'int', help: 'seconds without an update (the SDK and agents ping every 30-60 s) after which a running task is stopped as non-responsive (default 7200)' },
  { key: 'watchdogIntervalSeconds', flag: '--watchdog-interval', env: 'CAIRN_WATCHDOG_INTERVAL', kind: 'int', help: 'seconds between checks for silent workers and non-responsive tasks (default 30)' },
  { key: 'bodyTimeoutSeconds', flag: '--body-timeout', env: 'CAIRN_BODY_TIMEOUT', kind: 'int', help: 'seconds a request body or file upload may stall (nothing arriving) before it is cut off with 408 (default 30)' },
  { key: 'failedLoginLimit', flag: '--failed-login-limit', env: 'CAIRN_FAILED_LOGIN_LIMIT', kind: 'int', help: 'failed sign-ins allowed per account in 5 minutes, twice that per address, before sign-ins are refused with 429 (default 10)' },
  { key: 'publicFiles', flag: '--public-files', env: 'CAIRN_PUBLIC_FILES', kind: 'bool', help: 'serve the file server without a token, as ClearML does (default off: every request needs a token or a signed URL)' },
  { key: 'filesStore', flag: '--files-store', env: 'CAIRN_FILES_STORE', kind: 'string', help: 'keep uploaded files in S3 instead of the data folder: s3://HOST:PORT/BUCKET/PREFIX (MinIO and other S3 servers) or s3://BUCKET/PREFIX (AWS)' },
  { key: 'storageCredentials', flag: '--storage-credentials', env: 'CAIRN_STORAGE_CREDENTIALS', kind: 'string', help: 'file with S3 credentials in clearml.conf\'s sdk.aws.s3 shape, for --files-store and for objects the SDK stores in S3 (default: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)' },
  { key: 'database', flag: '--database', env: 'CAIRN_DATABASE_URL', kind: 'string', help: 'keep metadata and events in PostgreSQL instead of the data folder\'s SQLite file: postgres://USER:PASSWORD@HOST:5432/DB (several replicas share one database)' },
  { key: 'allowedHosts', flag: '--allowed-hosts', env: 'CAIRN_ALLOWED_HOSTS', kind: 'list', help: 'comma-separated host names the web UI may be reached by besides the public URLs\' and loopback' },
];

export class ConfigError extends Error {}

function parseValue(opt: Option, raw: string): unknown {
  if (opt.kind === 'int') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${opt.flag} / ${opt.env} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    return n;
  }
  if (opt.kind === 'bool') return !['0', 'false', 'no', ''].includes(raw.toLowerCase());
  if (opt.kind === 'list') return raw.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
  return raw;
}

function databaseUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError('--database / CAIRN_DATABASE_URL must be a postgres://USER:PASSWORD@HOST:PORT/DB URL');
  return raw;
}

/** Builds the configuration from flags (first), then environment variables, then defaults. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const given: Partial<Record<keyof ServerConfig, unknown>> = {};
  for (const opt of OPTIONS) {
    const v = env[opt.env];
    if (v !== undefined && v !== '') given[opt.key] = parseValue(opt, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const opt = OPTIONS.find((o) => o.flag === flag);
    if (!opt) throw new ConfigError(`unknown option ${arg}`);
    if (opt.kind === 'bool' && inline === undefined) {
      given[opt.key] = true;
      continue;
    }
    if (opt.key === 'singlePort' && inline === undefined && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))) {
      given.singlePort = 8008;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    given[opt.key] = parseValue(opt, value);
  }
  if (typeof given.adminPassword === 'string' && given.adminPassword.length < 8) {
    throw new ConfigError('--admin-password / CAIRN_ADMIN_PASSWORD must be at least 8 characters');
  }
  const host = (given.host as string) ?? '0.0.0.0';
  const apiPort = (given.apiPort as number) ?? 8008;
  const webPort = (given.webPort as number) ?? 8080;
  const filesPort = (given.filesPort as number) ?? 8081;
  const singlePort = (given.singlePort as number | undefined) ?? null;
  const publicHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const base = (port: number, prefix = '') => `http://${publicHost}:${port}${prefix}`;
  const strip = (u: string) => u.replace(/\/+$/, '');
  return {
    host,
    apiPort,
    webPort,
    filesPort,
    singlePort,
    dataDir: resolve((given.dataDir as string) ?? 'data'),
    publicApiUrl: strip((given.publicApiUrl as string) ?? (singlePort ? base(singlePort, '/api') : base(apiPort))),
    publicWebUrl: strip((given.publicWebUrl as string) ?? (singlePort ? base(singlePort) : base(webPort))),
    publicFilesUrl: strip((given.publicFilesUrl as string) ?? (singlePort ? base(singlePort, '/files') : base(filesPort))),
    accessKey: given.accessKey as string | undefined,
    secretKey: given.secretKey as string | undefined,
    adminPassword: given.adminPassword as string | undefined,
    maxRequestBytes: (given.maxRequestBytes as number) ?? 64 * 1024 * 1024,
    maxUploadBytes: (given.maxUploadBytes as number) ?? 100 * 1024 * 1024 * 1024,
    tokenTtlSeconds: (given.tokenTtlSeconds as number) ?? 30 * 24 * 3600,
    logRequests: (given.logRequests as boolean) ?? false,
    workerTimeoutSeconds: (given.workerTimeoutSeconds as number) ?? 600,
    taskTimeoutSeconds: (given.taskTimeoutSeconds as number) ?? 7200,
    watchdogIntervalSeconds: Math.max(1, (given.watchdogIntervalSeconds as number) ?? 30),
    bodyTimeoutSeconds: Math.max(1, (given.bodyTimeoutSeconds as number) ?? 30),
    failedLoginLimit: Math.max(1, (given.failedLoginLimit as number) ?? 10),
    publicFiles: (given.publicFiles as boolean) ?? false,
    allowedHosts: (given.allowedHosts as string[]) ?? [],
    filesStore: (given.filesStore as string | undefined) ?? null,
    storageCredentials: given.storageCredentials ? resolve(given.storageCredentials as string) : null,
    database: databaseUrl(given.database as string | undefined),
  };
}
