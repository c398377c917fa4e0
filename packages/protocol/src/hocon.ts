/**
 * A small HOCON reader, enough for `clearml.conf`: objects (`a { }`, `a: { }`, `a = { }`),
 * dotted keys (`api.credentials.access_key: x`), quoted, triple-quoted and unquoted
 * values, lists, `#` and `//` comments, commas or newlines between fields, and repeated
 * object keys merged as HOCON does. Substitutions (`${...}`) and `include` are kept as
 * plain text: the keys Cairn reads never use them.
 */
export type HoconValue = string | number | boolean | null | HoconValue[] | HoconObject;
export interface HoconObject {
  [key: string]: HoconValue;
}

export class HoconError extends Error {}

const isObj = (v: HoconValue | undefined): v is HoconObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseHocon(text: string): HoconObject {
  return new Reader(text).document();
}

/** Reads a value at a dotted path (`api.credentials.access_key`). */
export function hoconGet(root: HoconObject, path: string): HoconValue | undefined {
  let cur: HoconValue | undefined = root;
  for (const part of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

class Reader {
  private pos = 0;
  constructor(private readonly s: string) {}

  document(): HoconObject {
    this.skipSpace(true);
    if (this.s[this.pos] === '{') {
      this.pos++;
      const obj = this.fields('}');
      this.expect('}');
      this.skipSpace(true);
      if (this.pos < this.s.length) this.fail('unexpected text after the root object');
      return obj;
    }
    return this.fields(undefined);
  }

  private fail(why: string): never {
    const line = this.s.slice(0, this.pos).split('\n').length;
    throw new HoconError(`line ${line}: ${why}`);
  }

  private expect(ch: string): void {
    if (this.s[this.pos] !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  private atComment(): boolean {
    return this.s[this.pos] === '#' || this.s.startsWith('//', this.pos);
  }

  private skipLine(): void {
    while (this.pos < this.s.length && this.s[this.pos] !== '\n') this.pos++;
  }

  /** Skips blanks and comments; newlines too when `newlines`. */
  private skipSpace(newlines: boolean): void {
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff' || (newlines && c === '\n')) this.pos++;
      else if (this.atComment()) this.skipLine();
      else break;
    }
  }

  /** Fields until `close` (or the end of input for the root); separators are commas or newlines. */
  private fields(close: string | undefined): HoconObject {
    const obj: HoconObject = {};
    for (;;) {
      this.skipSpace(true);
      while (this.s[this.pos] === ',') {
        this.pos++;
        this.skipSpace(true);
      }
      if (this.pos >= this.s.length) {
        if (close) this.fail(`missing '${close}'`);
        return obj;
      }
      if (this.s[this.pos] === close) return obj;
      const path = this.key();
      this.skipSpace(false);
      let value: HoconValue;
      if (this.s[this.pos] === '{') {
        value = this.value();
      } else {
        if (this.s.startsWith('+=', this.pos)) this.pos += 2;
        else if (this.s[this.pos] === ':' || this.s[this.pos] === '=') this.pos++;
        else this.fail(`expected ':' or '=' after key ${path.join('.')}`);
        this.skipSpace(false);
        value = this.value();
      }
      assign(obj, path, value);
    }
  }

  private key(): string[] {
    const parts: string[] = [];
    let cur = '';
    for (;;) {
      const c = this.s[this.pos];
      if (c === '"') {
        cur += this.quoted();
      } else if (c === undefined || /[\s:={}[\],]/.test(c) || this.s.startsWith('+=', this.pos) || this.atComment()) {
        break;
      } else if (c === '.') {
        parts.push(cur);
        cur = '';
        this.pos++;
      } else {
        cur += c;
        this.pos++;
      }
    }
    parts.push(cur);
    if (parts.some((p) => p === '')) this.fail('empty key');
    return parts;
  }

  private value(): HoconValue {
    const c = this.s[this.pos];
    if (c === '{') {
      this.pos++;
      const obj = this.fields('}');
      this.expect('}');
      return obj;
    }
    if (c === '[') return this.list();
    if (this.s.startsWith('"""', this.pos)) {
      const end = this.s.indexOf('"""', this.pos + 3);
      if (end < 0) this.fail('unterminated """ string');
      const text = this.s.slice(this.pos + 3, end);
      this.pos = end + 3;
      return text;
    }
    if (c === '"') {
      const first = this.quoted();
      return first + this.unquoted().trimEnd();
    }
    return scalar(this.unquoted().trim());
  }

  private list(): HoconValue[] {
    this.expect('[');
    const items: HoconValue[] = [];
    for (;;) {
      this.skipSpace(true);
      while (this.s[this.pos] === ',') {
        this.pos++;
        this.skipSpace(true);
      }
      if (this.s[this.pos] === ']') {
        this.pos++;
        return items;
      }
      if (this.pos >= this.s.length) this.fail("missing ']'");
      items.push(this.value());
    }
  }

  private quoted(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.s.length && this.s[this.pos] !== '"') {
      if (this.s[this.pos] === '\\') this.pos++;
      if (this.s[this.pos] === '\n') this.fail('newline inside a quoted string');
      this.pos++;
    }
    this.expect('"');
    return JSON.parse(this.s.slice(start, this.pos)) as string;
  }

  /** An unquoted value runs to the end of the line, a separator or a comment (`//` only after a blank, so URLs survive). */
  private unquoted(): string {
    let out = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (c === '\n' || c === ',' || c === '}' || c === ']' || c === '#') break;
      if (this.s.startsWith('//', this.pos) && (out === '' || /\s$/.test(out))) break;
      out += c;
      this.pos++;
    }
    return out;
  }
}

function scalar(text: string): HoconValue {
  if (text === 'true' || text === 'yes' || text === 'on') return true;
  if (text === 'false' || text === 'no' || text === 'off') return false;
  if (text === 'null') return null;
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return Number(text);
  return text;
}

function assign(obj: HoconObject, path: string[], value: HoconValue): void {
  let cur = obj;
  for (const part of path.slice(0, -1)) {
    const next = cur[part];
    if (!isObj(next)) cur[part] = {};
    cur = cur[part] as HoconObject;
  }
  const last = path[path.length - 1]!;
  const existing = cur[last];
  cur[last] = isObj(existing) && isObj(value) ? merge(existing, value) : value;
}

function merge(a: HoconObject, b: HoconObject): HoconObject {
  const out: HoconObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    out[k] = isObj(old) && isObj(v) ? merge(old, v) : v;
  }
  return out;
}
