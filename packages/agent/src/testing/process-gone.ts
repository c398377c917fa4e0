import { readFileSync } from 'node:fs';

/** Gone, or a zombie waiting for a reaper (containers often have none): either way no longer running. */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

/** SIGKILL takes effect asynchronously; a process that is never gone fails the test by its timeout. */
export async function waitGone(pid: number): Promise<void> {
  while (!processGone(pid)) await new Promise((r) => setTimeout(r, 20));
}
