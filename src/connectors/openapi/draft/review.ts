/**
 * What a document leaves a draft unable to know about a collection, as items for the README's review
 * list: how the app limits rates and says "exists", reads that answer no object, ids the routes name
 * differently from the object's fields, what disable means, and what membership calls leave open.
 */
import { successSchema } from '../response-reads.ts';
import type { Collection } from './analyze.ts';
import type { ProposedMappings } from './mappings.ts';

export function documentGaps(collection: Collection): string[] {
  const out: string[] = [];
  const { get, create } = collection;
  if (get && !collection.statuses.has('429'))
    out.push(
      `${collection.path}: the document lists no 429: find how the app limits rates (openapi.commonStatuses names the page that says so) and add a fixture for it`,
    );
  if (get && successSchema(get.operation) === undefined)
    out.push(
      `GET ${get.path} answers no object: reads need a route that returns it (get.request), or steps that fetch it`,
    );
  if (!collection.idFieldSure)
    out.push(
      `${collection.path}/{${collection.idParam}}: no field of the object is named like {${collection.idParam}}; the draft takes "${collection.idField}" as the app id (set response.id and list.id to the field the route takes)`,
    );
  if (create && !collection.statuses.has('409'))
    out.push(
      `POST ${create.path} documents no 409: find how the app says the object exists (an outcome rule with result: conflict lets the gateway adopt it)`,
    );
  return out;
}

/** How Entra's disable lands in the app: the guess the draft made, or that it found no way at all. */
export function deactivationGaps(users: Collection, mappings: ProposedMappings | undefined): string[] {
  if (users.deactivate && users.reactivate)
    return [
      `deactivation: Entra's disable calls ${users.deactivate.method.toUpperCase()} ${users.deactivate.path} and enable ${users.reactivate.method.toUpperCase()} ${users.reactivate.path}; check that a deactivated user keeps its data and can sign in again after reactivation`,
    ];
  const active = mappings?.active;
  if (active && users.update)
    return [
      `deactivation: Entra's disable is sent as ${active.field} in ${users.update.method.toUpperCase()} ${users.update.path}; check that the app honours it (some apps take a status only through a separate call)`,
    ];
  return [
    "deactivation: the document shows no deactivate route and no status field: decide what Entra's disable means for this app (delete, remove a licence, or unsupported) before assigning users",
  ];
}

/** What membership calls leave open, for groups with members. */
export function membershipGaps(groups: Collection): string[] {
  const members = groups.members;
  if (!members?.add || !members.remove)
    return [
      `membership: the document shows no add/remove member routes under ${groups.path}/{${groups.idParam}}: find how the app changes membership (members.add and members.remove), or leave groups without members`,
    ];
  return [
    `membership: check whether adding a member twice or removing a non-member is harmless in the app, whether a member must be active, and whether ${members.list ? `GET ${members.list.path} lists nested members too` : "the app can list a group's members (members.list)"}`,
  ];
}
