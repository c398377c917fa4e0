import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { hoconGet, parseHocon, type HoconObject } from '@cairn/protocol';

/** Where the server is and how to log in: what every Cairn client needs. */
export interface ClientConfig {
  apiHost: string;
  webHost: string;
  filesHost: string;
  accessKey: string;
  secretKey: string;
}

export class ClientConfigError extends Error {}

/** Environment names per setting, first match wins; the CAIRN_* ones go before the ClearML ones. */
const ENV_NAMES: Record<keyof ClientConfig, string[]> = {
  apiHost: ['CAIRN_API_HOST', 'CLEARML_API_HOST', 'TRAINS_API_HOST'],
  webHost: ['CAIRN_WEB_HOST', 'CLEARML_WEB_HOST', 'TRAINS_WEB_HOST'],
  filesHost: ['CAIRN_FILES_HOST', 'CLEARML_FILES_HOST', 'TRAINS_FILES_HOST'],
  accessKey: ['CAIRN_API_ACCESS_KEY', 'CLEARML_API_ACCESS_KEY', 'TRAINS_API_ACCESS_KEY'],
  secretKey: ['CAIRN_API_SECRET_KEY', 'CLEARML_API_SECRET_KEY', 'TRAINS_API_SECRET_KEY'],
};

const CONF_KEYS: Record<keyof ClientConfig, string[]> = {
  apiHost: ['api.api_server', 'api.host'],
  webHost: ['api.web_server'],
  filesHost: ['api.files_server'],
  accessKey: ['api.credentials.access_key'],
  secretKey: ['api.credentials.secret_key'],
};

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides `CLEARML_CONFIG_FILE` and `~/clearml.conf`. */
  configFile?: string;
}

/** The config file the ClearML tools would read: `CLEARML_CONFIG_FILE`, else `~/clearml.conf`. */
export function configFilePath(env: NodeJS.ProcessEnv): string {
  return env.CLEARML_CONFIG_FILE || env.TRAINS_CONFIG_FILE || join(env.HOME || homedir(), 'clearml.conf');
}

function readConf(path: string, explicit: boolean): HoconObject {
  if (!existsSync(path)) {
    if (explicit) throw new ClientConfigError(`config file ${path} does not exist`);
    return {};
  }
  try {
    return parseHocon(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ClientConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * The web and file server addresses ClearML derives from the API address when they
 * are not configured: port 8008 → 8080/8081, or host `api.*` → `app.*`/`files.*`.
 */
export function deriveHost(apiHost: string, kind: 'web' | 'files'): string {
  const url = new URL(apiHost);
  if (url.port === '8008') url.port = kind === 'web' ? '8080' : '8081';
  else if (url.hostname.startsWith('api.')) url.hostname = `${kind === 'web' ? 'app' : 'files'}.${url.hostname.slice(4)}`;
  else return '';
  return url.toString().replace(/\/$/, '');
}

export function loadClientConfig(opts: LoadConfigOptions = {}): ClientConfig {
  const env = opts.env ?? process.env;
  const file = opts.configFile ?? configFilePath(env);
  const conf = readConf(file, Boolean(opts.configFile));
  const pick = (k: keyof ClientConfig): string => {
    for (const name of ENV_NAMES[k]) if (env[name]) return env[name]!;
    for (const path of CONF_KEYS[k]) {
      const v = hoconGet(conf, path);
      if (typeof v === 'string' && v !== '') return v;
    }
    return '';
  };
  const apiHost = pick('apiHost').replace(/\/+$/, '');
  if (!apiHost) throw new ClientConfigError(`no API server configured: set CLEARML_API_HOST or api.api_server in ${file}`);
  const accessKey = pick('accessKey');
  const secretKey = pick('secretKey');
  if (!accessKey || !secretKey) {
    throw new ClientConfigError(`no credentials configured: set CLEARML_API_ACCESS_KEY and CLEARML_API_SECRET_KEY or api.credentials in ${file}`);
  }
  return {
    apiHost,
    webHost: (pick('webHost') || deriveHost(apiHost, 'web')).replace(/\/+$/, ''),
    filesHost: (pick('filesHost') || deriveHost(apiHost, 'files')).replace(/\/+$/, ''),
    accessKey,
    secretKey,
  };
}
