/**
 * Tells operators what Entra sends that never reaches the app: each attribute name the app does not hold
 * is reported once per app and resource type (a warning log line with the name only, the
 * scimgw_unmapped_attributes gauge, the status page), and every skipped unknown member id is logged with
 * the group. Lives as long as the process, so a config reload does not repeat the warnings. Names are
 * capped per app: a client sending endless distinct names cannot grow memory or the log.
 */
import type { ProvisioningEvents } from '../core/events.ts';
import type { ResourceKind } from '../core/id-map.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export const MAX_NAMES_PER_APP = 200;

export class AttributeReport {
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #seen = new Map<string, Record<ResourceKind, Set<string>>>();

  constructor(logger: Logger, metrics: Metrics) {
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** Attribute names seen for the app that it does not hold, sorted. */
  unmapped(app: string): Record<ResourceKind, string[]> {
    const seen = this.#seen.get(app);
    return { User: [...(seen?.User ?? [])].sort(), Group: [...(seen?.Group ?? [])].sort() };
  }

  eventsFor(app: string): ProvisioningEvents {
    return {
      unmappedAttributes: (kind, names) => this.#unmapped(app, kind, names),
      unknownMembers: (group, members) => {
        this.#metrics.unknownMembers.inc({ app }, members.length);
        this.#logger.warn(
          { app, group: group ?? null, members: members.slice(0, 20), count: members.length },
          'group member ids that name no user of this app were skipped (not provisioned yet, or deleted)',
        );
      },
    };
  }

  #unmapped(app: string, kind: ResourceKind, names: readonly string[]): void {
    let seen = this.#seen.get(app);
    if (!seen) this.#seen.set(app, (seen = { User: new Set(), Group: new Set() }));
    for (const name of names) {
      if (seen[kind].has(name) || seen.User.size + seen.Group.size >= MAX_NAMES_PER_APP) continue;
      seen[kind].add(name);
      this.#metrics.unmappedAttributes.set({ app, resource: kind }, seen[kind].size);
      this.#logger.warn(
        { app, resource: kind, attribute: name },
        'Entra sends an attribute this app does not hold: the gateway keeps and returns it, but the app never receives it (map it in the connector, or in customFields)',
      );
    }
  }
}
