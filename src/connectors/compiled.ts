/** A connector after loading: every expression and template compiled, defaults applied. */
import type { CompiledExpression, CompiledTemplate } from './expression.ts';
import type { ConnectorManifest, OutcomeResult } from './manifest.ts';
import type { ExtensionDeclaration } from '../scim/schema/extensions.ts';

export interface CompiledRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: CompiledTemplate;
  query: [string, CompiledTemplate][];
  headers: [string, CompiledTemplate][];
  body?: CompiledExpression;
}

export interface CompiledOutcome {
  status: ReadonlySet<number>;
  /** Where the rule is in connector.yaml (for check-spec). */
  at?: (string | number)[];
  when?: CompiledExpression;
  result: OutcomeResult;
  message?: string;
}

export type CompiledPagination =
  | { type: 'none' }
  | {
      type: 'offset';
      offsetParam: string;
      limitParam: string;
      pageSize: number;
      startOffset: number;
      total?: CompiledExpression;
    }
  | {
      type: 'page';
      pageParam: string;
      sizeParam: string;
      pageSize: number;
      firstPage: number;
      total?: CompiledExpression;
    }
  | {
      type: 'cursor';
      cursorParam: string;
      cursor: CompiledExpression;
      sizeParam?: string;
      pageSize: number;
      stop?: CompiledExpression;
    }
  | { type: 'link'; rel: string; sizeParam?: string; pageSize: number }
  | { type: 'nextUrl'; next: CompiledExpression; sizeParam?: string; pageSize: number };

export interface CompiledStep {
  name: string;
  when?: CompiledExpression;
  request: CompiledRequest;
  pagination?: CompiledPagination;
  items?: CompiledExpression;
  extract: [string, CompiledExpression][];
  outcomes: CompiledOutcome[];
}

export interface CompiledOperation {
  /** One step for a plain `request`; the last step's response is the operation's response. */
  steps: CompiledStep[];
  select?: CompiledExpression;
  id?: CompiledExpression;
}

export interface CompiledCreate extends CompiledOperation {
  onConflict: 'fail' | 'adopt';
  getAfter: boolean;
}

export interface CompiledUpdate extends CompiledOperation {
  skipIfUnchanged: boolean;
}

export interface CompiledFilter {
  /** The SCIM attribute as written in the connector, e.g. userName or emails[type eq "work"].value. */
  attribute: string;
  op: 'eq' | 'co' | 'sw' | 'ew';
  url?: CompiledTemplate;
  query: [string, CompiledTemplate][];
  exact: boolean;
  pagination?: CompiledPagination;
  items?: CompiledExpression;
  id?: CompiledExpression;
}

export interface CompiledList extends CompiledOperation {
  pagination: CompiledPagination;
  items: CompiledExpression;
  filters: CompiledFilter[];
  /** Query parameters that list only objects changed since $since, when the app can. */
  changedSince?: { query: [string, CompiledTemplate][] };
  maxScan: number;
}

export interface CompiledMembersList extends CompiledOperation {
  pagination: CompiledPagination;
  items: CompiledExpression;
  memberId: CompiledExpression;
}

export interface CompiledResource {
  /** Extension schemas the connector declares for this resource type. */
  schemaExtensions: ExtensionDeclaration[];
  attributes: string[];
  create?: CompiledCreate;
  get: CompiledOperation;
  list: CompiledList;
  update?: CompiledUpdate;
  deactivate?: CompiledOperation;
  reactivate?: CompiledOperation;
  delete?: CompiledOperation;
  members?: {
    add: CompiledOperation;
    remove: CompiledOperation;
    list?: CompiledMembersList;
    addMany?: CompiledOperation;
    removeMany?: CompiledOperation;
    batchSize: number;
  };
}

export interface CompiledMapping {
  toApp: CompiledExpression;
  toScim: CompiledExpression;
  /** Where the app keeps custom fields: read gives them from an app object, write merges $customFields into toApp's result. */
  customFields?: { read: CompiledExpression; write: CompiledExpression };
}

export type CompiledAuth =
  | { type: 'none' }
  | { type: 'apiKey'; in: 'header' | 'query'; name: string; value: CompiledTemplate }
  | { type: 'bearer'; token: CompiledTemplate }
  | { type: 'basic'; username: CompiledTemplate; password: CompiledTemplate }
  | {
      type: 'oauth2ClientCredentials';
      tokenUrl: CompiledTemplate;
      clientId: CompiledTemplate;
      clientSecret: CompiledTemplate;
      clientAuth: 'body' | 'basic';
      scopes: string[];
      params: [string, CompiledTemplate][];
    };

export interface CompiledBucket {
  name: string;
  methods?: ReadonlySet<string>;
  path: RegExp;
  requests: number;
  perMs: number;
  key?: CompiledTemplate;
}

export interface CompiledConnector {
  id: string;
  dir: string;
  file: string;
  manifest: ConnectorManifest;
  http: {
    baseUrl: CompiledTemplate;
    headers: [string, CompiledTemplate][];
    timeoutMs: number;
    maxResponseBytes: number;
  };
  auth: CompiledAuth;
  rateLimit?: { requests: number; perMs: number; concurrency: number; buckets: CompiledBucket[] };
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number; maxPauseMs: number };
  mappings: { User?: CompiledMapping; Group?: CompiledMapping };
  /** connector.yaml's openapi block, for check-spec. */
  openapi?: ConnectorManifest['openapi'];
  resources: { User?: CompiledResource; Group?: CompiledResource };
}
