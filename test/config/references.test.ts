import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaReferences } from '../../src/config/json-schemas.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');

describe('generated references', () => {
  for (const [name, text] of Object.entries(schemaReferences())) {
    it(`docs/${name} is up to date (run \`npm run schemas\` after changing a zod schema)`, () => {
      expect(readFileSync(join(DOCS, name), 'utf8')).toBe(text);
    });
  }

  it('lists every operation field an author writes, with its description', () => {
    const reference = schemaReferences()['connector-reference.md']!;
    for (const field of [
      'resources.User.operations.create.onConflict',
      'resources.Group.members.remove.steps[].extract',
      'rateLimit.buckets[].key',
      'auth.clientAuth',
    ]) {
      expect(reference, field).toContain(`\`${field}\``);
    }
    expect(reference).toMatch(/\| `rateLimit\.buckets\[\]\.key` \| string \| {2}\| {2}\| Counted per this value/);
  });
});
