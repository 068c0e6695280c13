/**
 * JSON with object keys in sorted order at every level, two-space indented
 * and newline-terminated, so equal data always gives the same bytes.
 */
export function stableJson(value: unknown): string {
  const sortKeys = (_key: string, v: unknown): unknown => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  };
  return `${JSON.stringify(value, sortKeys, 2)}\n`;
}
