/**
 * One app's mappings: SCIM ↔ app payloads through the connector's JSONata, with the app's custom fields
 * (gateway.yaml customFields) written and read where the connector says they live, and the bindings every
 * operation's expressions see.
 */
import { NotSupportedError } from '../errors.ts';
import type { ResourceKind } from '../core/id-map.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { CompiledConnector, CompiledMapping } from './compiled.ts';
import { customFieldValues, mergePayload, withCustomFields, type CustomFieldMapping } from './custom-fields.ts';
import type { Bindings } from './expression.ts';

/**
 * An object result as it is, {} for anything else. Mappings are evaluated with evaluateJson, whose
 * results are already plain JSON the caller owns (compiled, or the interpreter's copied through JSON), so
 * the mapper and what it hands out may change them without touching the input.
 */
export function objectOf(value: unknown): ScimResource {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ScimResource) : {};
}

export class Mapper {
  readonly #connector: CompiledConnector;
  readonly #config: Record<string, unknown>;
  readonly #customFields: Partial<Record<ResourceKind, readonly CustomFieldMapping[]>>;

  constructor(
    connector: CompiledConnector,
    config: Record<string, unknown>,
    customFields: Partial<Record<ResourceKind, readonly CustomFieldMapping[]>> = {},
  ) {
    this.#connector = connector;
    this.#config = config;
    this.#customFields = customFields;
  }

  /** The connector's mapped attributes and the app's custom field attributes. */
  mappedAttributes(kind: ResourceKind): readonly string[] {
    return [
      ...(this.#connector.resources[kind]?.attributes ?? []),
      ...(this.#customFields[kind] ?? []).map((mapping) => mapping.attribute),
    ];
  }

  #mapping(kind: ResourceKind): CompiledMapping {
    const mapping = this.#connector.mappings[kind];
    if (!mapping) throw new NotSupportedError(`The ${this.#connector.id} connector has no ${kind} mapping`);
    return mapping;
  }

  async toApp(kind: ResourceKind, scim: ScimResource): Promise<unknown> {
    const mapping = this.#mapping(kind);
    const payload = objectOf(await mapping.toApp.evaluateJson(scim, { config: this.#config }));
    const fields = this.#customFields[kind];
    if (!fields?.length || !mapping.customFields) return payload;
    const extra = await mapping.customFields.write.evaluateJson(scim, {
      config: this.#config,
      customFields: customFieldValues(scim, fields),
    });
    return mergePayload(payload, objectOf(extra));
  }

  async toScim(kind: ResourceKind, raw: unknown): Promise<ScimResource> {
    const mapping = this.#mapping(kind);
    const scim = objectOf(await mapping.toScim.evaluateJson(raw, { config: this.#config }));
    const fields = this.#customFields[kind];
    if (!fields?.length || !mapping.customFields) return scim;
    return withCustomFields(
      scim,
      objectOf(await mapping.customFields.read.evaluateJson(raw, { config: this.#config })),
      fields,
    );
  }

  /** What an operation's expressions see: $config, $toApp/$toScim (the connector's own mappings), and `extra`. */
  bindings(kind: ResourceKind, extra: Bindings): Bindings {
    const mapping = this.#connector.mappings[kind];
    return {
      config: this.#config,
      ...(mapping
        ? {
            toApp: (value: unknown) => mapping.toApp.evaluate(value, { config: this.#config }),
            toScim: (value: unknown) => mapping.toScim.evaluate(value, { config: this.#config }),
          }
        : {}),
      ...extra,
    };
  }
}
