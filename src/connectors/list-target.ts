/** What a list request asks for when a filter pushdown or a listing of changes narrows it. */
import type { CompiledFilter } from './compiled.ts';
import { encodePathValue } from './caller.ts';
import type { Bindings, CompiledTemplate } from './expression.ts';

/**
 * The query and path of a list request narrowed by a filter pushdown or a listing of changes: the list's own
 * query plus theirs, and the pushdown's URL. Both undefined for a plain listing (the request as declared).
 */
export async function listTarget(
  listQuery: [string, CompiledTemplate][],
  pushdown: CompiledFilter | undefined,
  changes: { query: [string, CompiledTemplate][] } | undefined,
  bindings: Bindings,
): Promise<{ query?: [string, string][]; path?: string }> {
  if (!pushdown && !changes) return {};
  const query: [string, string][] = [];
  for (const [name, template] of [...listQuery, ...(pushdown?.query ?? []), ...(changes?.query ?? [])])
    query.push([name, await template.render(bindings)]);
  return pushdown?.url ? { query, path: await pushdown.url.render(bindings, encodePathValue) } : { query };
}
