import { RE2JS } from 're2js';

/**
 * User-supplied patterns (name filters, `_any_`/`_all_` field patterns, facet searches,
 * worker globs) run on RE2 (the re2js port): matching time grows linearly with the text,
 * whatever the pattern, so `^(a+)+$` cannot stall the server the way a backtracking
 * engine lets it. The SDK sends Python syntax built with `re.escape` (`\ `, `\-`, `\#`),
 * inline flags such as `(?i)`, `(?P<name>…)` groups and `\A`/`\Z`; RE2 takes all of it but
 * `\Z`, written `\z` there. What RE2 cannot run in linear time (look-arounds,
 * back-references) is refused with the reason.
 */
export class RegexError extends Error {}

/** A compiled pattern; `test` is an unanchored search, as Python's `re.search`. */
export interface PatternMatcher {
  test(text: string): boolean;
}

/** Longer patterns are refused: nothing the clients send comes close. */
export const MAX_PATTERN_LENGTH = 1000;

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, s: RE2JS.DOTALL, m: RE2JS.MULTILINE };

/** Python's leading `(?aiLmsux)` group: a/L/u only pick the character classes' alphabet, which RE2 always treats as Unicode. */
function leadingFlags(pattern: string): { rest: string; flags: string } {
  const m = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (!m) return { rest: pattern, flags: '' };
  if (m[1].includes('x')) throw new RegexError('verbose patterns ((?x)) are not supported');
  return { rest: pattern.slice(m[0].length), flags: m[1].replace(/[aLu]/g, '') };
}

/** `\Z` (Python's end of text) is RE2's `\z`; an escaped backslash before it stays as it is. */
const endOfText = (src: string) => src.replace(/(^|[^\\])((?:\\\\)*)\\Z/g, '$1$2\\z');

export function compilePythonRegex(pattern: string, flags = ''): PatternMatcher {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new RegexError(`regular expression too long: ${pattern.length} characters (at most ${MAX_PATTERN_LENGTH})`);
  }
  const { rest, flags: inline } = leadingFlags(pattern);
  let bits = 0;
  for (const f of new Set(flags + inline)) bits |= FLAG_BITS[f] ?? 0;
  try {
    const re = RE2JS.compile(endOfText(rest), bits);
    return { test: (text: string) => re.test(text) };
  } catch (err) {
    throw new RegexError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

/** A glob where `*` is any text and `?` one character, matched against the whole text. */
export function compileGlob(glob: string): PatternMatcher {
  if (glob.length > MAX_PATTERN_LENGTH) throw new RegexError(`pattern too long: ${glob.length} characters (at most ${MAX_PATTERN_LENGTH})`);
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = RE2JS.compile(`^${body}$`, RE2JS.DOTALL);
  return { test: (text: string) => re.test(text) };
}
