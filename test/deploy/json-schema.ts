/**
 * A checker for the part of JSON Schema that values.schema.json uses (type, required, properties, items,
 * enum, minimum, maximum, minLength, minItems): what `helm install` would refuse. Unknown keywords throw,
 * so the schema cannot grow past what is checked here unnoticed.
 */
export type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema',
  'description',
  'type',
  'required',
  'properties',
  'items',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'minItems',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function validate(schema: Schema, value: unknown, path = '$'): string[] {
  const unknown = Object.keys(schema).filter((key) => !KNOWN.has(key));
  if (unknown.length) throw new Error(`${path}: schema keywords outside the checked subset: ${unknown.join(', ')}`);
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const allowed = ([] as string[]).concat(schema.type as string | string[]);
    const actual = typeOf(value);
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) {
      return [`${path}: expected ${allowed.join(' or ')}, got ${actual}`];
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => option === value))
    errors.push(`${path}: must be one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      errors.push(`${path}: must be >= ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      errors.push(`${path}: must be <= ${schema.maximum}`);
  }
  if (typeof value === 'string' && typeof schema.minLength === 'number' && value.length < schema.minLength)
    errors.push(`${path}: must not be empty`);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      errors.push(`${path}: needs at least ${schema.minItems} item(s)`);
    if (schema.items)
      value.forEach((item, index) => errors.push(...validate(schema.items as Schema, item, `${path}[${index}]`)));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? [])
      if (!(key in object)) errors.push(`${path}.${key}: required`);
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(properties))
      if (key in object) errors.push(...validate(sub, object[key], `${path}.${key}`));
  }
  return errors;
}
