/**
 * The ClearML list-filter mini-language used for `tags`, `system_tags`, `status`,
 * `project`, … in `*.get_all` (clearml-sdk-protocol.md §6.6).
 *
 * Terms are read left to right. `__$all`/`__$and` and `__$any`/`__$or` switch the
 * context the following values go into; the first operator seen also decides how
 * the groups combine (AND when none is given). `__$not` negates the next value,
 * `__$nop` returns to the default context, and a leading `-` excludes a value only
 * while no operator has been seen. `null` matches an empty or missing list.
 */
export type ListFilterValue = string | null;
export type ListPredicate = (values: readonly string[]) => boolean;

type Term = { value: ListFilterValue; negate: boolean };

const OPS_AND = new Set(['__$all', '__$and']);
const OPS_OR = new Set(['__$any', '__$or']);

function termMatches(term: Term, values: readonly string[]): boolean {
  const hit = term.value === null ? values.length === 0 : values.includes(term.value);
  return term.negate ? !hit : hit;
}

export function compileListFilter(raw: unknown): ListPredicate | null {
  const items: ListFilterValue[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw as ListFilterValue];
  if (items.length === 0) return null;

  const orGroup: Term[] = [];
  const andGroup: Term[] = [];
  const legacyExcludes: string[] = [];
  let context: 'or' | 'and' = 'or';
  let combine: 'or' | 'and' | null = null;
  let negateNext = false;
  let operatorSeen = false;

  for (const item of items) {
    if (typeof item === 'string' && item.startsWith('__$')) {
      if (OPS_AND.has(item)) {
        context = 'and';
        combine ??= 'and';
        operatorSeen = true;
        continue;
      }
      if (OPS_OR.has(item)) {
        context = 'or';
        combine ??= 'or';
        operatorSeen = true;
        continue;
      }
      if (item === '__$not') {
        negateNext = true;
        operatorSeen = true;
        continue;
      }
      if (item === '__$nop') {
        context = 'or';
        continue;
      }
    }
    if (!operatorSeen && typeof item === 'string' && item.startsWith('-') && item.length > 1) {
      legacyExcludes.push(item.slice(1));
      continue;
    }
    const value = item === null || item === undefined ? null : String(item);
    (context === 'and' ? andGroup : orGroup).push({ value, negate: negateNext });
    negateNext = false;
  }

  const groups: ListPredicate[] = [];
  if (orGroup.length) groups.push((v) => orGroup.some((t) => termMatches(t, v)));
  if (andGroup.length) groups.push((v) => andGroup.every((t) => termMatches(t, v)));
  const groupsPredicate: ListPredicate | null = groups.length === 0
    ? null
    : (combine ?? 'and') === 'and'
      ? (v) => groups.every((g) => g(v))
      : (v) => groups.some((g) => g(v));
  if (!legacyExcludes.length) return groupsPredicate;
  const excludes: ListPredicate = (v) => !legacyExcludes.some((x) => v.includes(x));
  return groupsPredicate ? (v) => excludes(v) && groupsPredicate(v) : excludes;
}
