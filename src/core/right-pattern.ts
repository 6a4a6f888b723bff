// Rights are `<service>.<operation>`; a granted pattern is a right, `<service>.*` or `*`. The one matching rule.

export function rightMatches(pattern: string, right: string): boolean {
  if (pattern === '*' || pattern === right) return true;
  return pattern.endsWith('.*') && right.startsWith(pattern.slice(0, -1));
}
