/** RFC 7643 §2 attribute characteristics, as served by /Schemas and used for validation and matching. */
export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
  /**
   * Set on definitions the gateway makes up for attributes no schema declares (Entra's custom attributes
   * an admin never declared, misspellings): their values are kept exactly as sent, never coerced.
   */
  adHoc?: boolean;
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
  /** Set on the stand-in for an extension URN that no connector or app declares. */
  adHoc?: boolean;
}

export type ResourceTypeName = 'User' | 'Group';

export interface ResourceTypeDef {
  name: ResourceTypeName;
  endpoint: string;
  description: string;
  schema: SchemaDef;
  extensions: SchemaDef[];
}

/** A SCIM resource as JSON: core attributes at the top, extension attributes under their schema URN. */
export type ScimResource = Record<string, unknown>;
