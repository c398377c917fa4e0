import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The pip requirements of a task: `script.requirements.pip` (text or list of lines),
 * else the repository's requirements.txt, and always `clearml`, which the task needs to
 * attach to the server.
 */
export function taskRequirements(pip: string | string[] | undefined, codeRoot: string): string {
  let text = Array.isArray(pip) ? pip.join('\n') : (pip ?? '');
  if (normaliseRequirements(text) === '') {
    const file = join(codeRoot, 'requirements.txt');
    text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  }
  return withClearml(normaliseRequirements(text));
}

/** Trimmed lines without blanks or comments: two texts that install the same get the same cache key. */
export function normaliseRequirements(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '')
    .join('\n');
}

const NAMES_CLEARML = /^clearml(\s*(\[.*\])?\s*([<>=!~;@]|$))/i;

export function withClearml(normalised: string): string {
  const lines = normalised === '' ? [] : normalised.split('\n');
  if (!lines.some((l) => NAMES_CLEARML.test(l))) lines.push('clearml');
  return lines.join('\n');
}
