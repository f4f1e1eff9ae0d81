/**
 * "Does the actual value contain the expected one?" for fixtures: objects need the listed keys only,
 * arrays must have the same length and match element by element, "*" matches anything present. Returns
 * the mismatches as readable lines (empty when it matches).
 */
export function subsetMismatches(expected: unknown, actual: unknown, path = ''): string[] {
  const at = path || '(root)';
  if (expected === '*') return actual === undefined ? [`${at}: expected a value, got nothing`] : [];
  if (expected === null || typeof expected !== 'object') {
    if (expected === actual) return [];
    // Query strings and headers are text: "1" matches 1.
    if (
      (typeof expected === 'number' || typeof expected === 'boolean') &&
      typeof actual === 'string' &&
      String(expected) === actual
    )
      return [];
    return [
      `${at}: expected ${JSON.stringify(expected)}, got ${actual === undefined ? 'nothing' : JSON.stringify(actual)}`,
    ];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)}`];
    if (expected.length !== actual.length)
      return [`${at}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`];
    return expected.flatMap((item, index) => subsetMismatches(item, actual[index], `${path}[${index}]`));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
    return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
  const record = actual as Record<string, unknown>;
  return Object.entries(expected as Record<string, unknown>).flatMap(([key, value]) =>
    subsetMismatches(value, record[key], path ? `${path}.${key}` : key),
  );
}

/** Header names are case-insensitive: compare with lower-cased keys on both sides. */
export function lowerKeys(record: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
}
