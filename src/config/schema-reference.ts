/**
 * A Markdown reference of every field of a JSON Schema (docs/connector-reference.md), generated from the
 * same zod schemas that validate the files, so the reference cannot drift from what the gateway accepts.
 */

type Node = Record<string, unknown>;

function typeOf(node: Node): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (Array.isArray(node.enum)) return node.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  const variants = (node.anyOf ?? node.oneOf) as Node[] | undefined;
  if (variants) return [...new Set(variants.map(typeOf))].join(' \\| ');
  if (node.type === 'array') return `list of ${typeOf((node.items as Node) ?? {})}`;
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object')
    return `map of ${typeOf(node.additionalProperties as Node)}`;
  return typeof node.type === 'string' ? node.type : 'any';
}

function describe(node: Node): string {
  const variants = ((node.anyOf ?? node.oneOf) as Node[] | undefined) ?? [];
  const text =
    (node.description as string | undefined) ??
    variants.map((variant) => variant.description as string | undefined).find(Boolean) ??
    '';
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function rows(node: Node, path: string, required: boolean, out: string[]): void {
  if (path) {
    const fallback = node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
    out.push(`| \`${path}\` | ${typeOf(node)} | ${required ? 'yes' : ''} | ${fallback} | ${describe(node)} |`);
  }
  const variants = (node.oneOf ?? node.anyOf) as Node[] | undefined;
  if (variants) {
    // A union of objects told apart by a `type` (auth, pagination): each variant's own fields.
    for (const variant of variants) {
      const kind =
        ((variant.properties as Record<string, Node> | undefined)?.type?.const as string | undefined) ?? undefined;
      if (variant.type === 'object' && variant.properties)
        rows(
          { ...variant, description: undefined },
          kind ? `${path} (type ${kind})` : path,
          false,
          out.length ? out : out,
        );
    }
    return;
  }
  if (node.type === 'array' && node.items) rows(node.items as Node, `${path}[]`, false, out);
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object')
    rows(node.additionalProperties as Node, `${path}.<name>`, false, out);
  const properties = node.properties as Record<string, Node> | undefined;
  if (!properties) return;
  const requiredKeys = new Set((node.required as string[] | undefined) ?? []);
  for (const [key, child] of Object.entries(properties)) {
    if (key === '$schema' || (key === 'type' && child.const !== undefined && path.includes('(type '))) continue;
    rows(child, path ? `${path.replace(/ \(type [^)]*\)$/, '')}.${key}` : key, requiredKeys.has(key), out);
  }
}

export function schemaReference(schema: Node, title: string, intro: string): string {
  const out: string[] = [];
  rows(schema, '', true, out);
  return `# ${title}\n\n${intro}\n\n| field | type | required | default | meaning |\n|---|---|---|---|---|\n${out.join('\n')}\n`;
}
