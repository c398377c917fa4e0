/**
 * The SDK sends Python regular expressions (built with `re.escape`, so `\ `, `\-`,
 * `\#` appear). JavaScript accepts those identity escapes only outside unicode mode,
 * so patterns are compiled without the `u` flag after translating the few Python-only
 * constructs. Matching is an unanchored search, case-sensitive unless asked otherwise.
 */
export class RegexError extends Error {}

export function compilePythonRegex(pattern: string, flags = ''): RegExp {
  let src = pattern;
  let f = flags;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    if (inline[1].includes('i') && !f.includes('i')) f += 'i';
    if (inline[1].includes('s') && !f.includes('s')) f += 's';
    if (inline[1].includes('m') && !f.includes('m')) f += 'm';
  }
  src = src
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  try {
    return new RegExp(src, f);
  } catch (err) {
    throw new RegexError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}
