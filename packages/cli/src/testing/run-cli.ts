import type { TestServer } from '@cairn/server/testing';
import { TEST_KEY, TEST_SECRET } from '@cairn/server/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** The environment a user would set to point the CLI at `server`, with HOME elsewhere so no clearml.conf is read. */
export function cliEnv(server: TestServer, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CLEARML|TRAINS|CAIRN)_/.test(k)) env[k] = v;
  // TMPDIR too: agents keep their worker-id locks there, and test runs must not share them.
  return { ...env, HOME: home, TMPDIR: home, CLEARML_API_HOST: server.api, CLEARML_FILES_HOST: server.files, CLEARML_API_ACCESS_KEY: TEST_KEY, CLEARML_API_SECRET_KEY: TEST_SECRET };
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; result: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, result };
}

export const runCli = (args: string[], env: NodeJS.ProcessEnv) => startCli(args, env).result;
