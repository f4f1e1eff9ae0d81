/**
 * What a document leaves a draft unable to know about a collection, as items for the README's review
 * list: how the app limits rates and says "exists", reads that answer no object, ids the routes name
 * differently from the object's fields.
 */
import { successSchema } from '../response-reads.ts';
import type { Collection } from './analyze.ts';

export function documentGaps(collection: Collection): string[] {
  const out: string[] = [];
  const { get, create } = collection;
  if (get && !collection.statuses.has('429')) out.push(`${collection.path}: the document lists no 429: find how the app limits rates (openapi.commonStatuses names the page that says so) and add a fixture for it`);
  if (get && successSchema(get.operation) === undefined) out.push(`GET ${get.path} answers no object: reads need a route that returns it (get.request), or steps that fetch it`);
  if (!collection.idFieldSure) out.push(`${collection.path}/{${collection.idParam}}: no field of the object is named like {${collection.idParam}}; the draft takes "${collection.idField}" as the app id (set response.id and list.id to the field the route takes)`);
  if (create && !collection.statuses.has('409')) out.push(`POST ${create.path} documents no 409: find how the app says the object exists (an outcome rule with result: conflict lets the gateway adopt it)`);
  return out;
}
