/** Project names are paths: `Parent/Child` is a sub-project of `Parent`. */
export function splitProjectPath(name: string): string[] {
  return name.split('/').map((p) => p.trim()).filter((p) => p !== '');
}

export function basename(name: string): string {
  const parts = splitProjectPath(name);
  return parts[parts.length - 1] ?? name;
}

/** `A/B/C` → [`A`, `A/B`] */
export function ancestors(name: string): string[] {
  const parts = splitProjectPath(name);
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}
