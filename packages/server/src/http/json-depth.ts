import { Errors } from '@cairn/protocol';
import { ApiError } from './api-error.js';

/**
 * Deeper JSON than any client sends (Plotly figures nest about ten levels) is refused:
 * code that walks documents recursively would overflow its stack on it.
 */
export const MAX_JSON_DEPTH = 100;

export function checkJsonDepth(value: unknown, where: string, max = MAX_JSON_DEPTH): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) throw new ApiError(Errors.invalidRequestBody, `${where} nests deeper than ${max} levels`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

/** The same limit on JSON still in text form (a plot's `plot_str`), by one pass over its brackets. */
export function jsonTextTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
