/**
 * gateway.yaml: which apps the gateway serves, with which connector, inbound tokens and app
 * credentials; where it stores ids; how it listens. The zod schema is the single source for validation
 * and for schemas/gateway.schema.json.
 */
import { z } from 'zod';
import { duration, period, toMilliseconds } from './duration.ts';
import { schemaExtensions } from './schema-extension.ts';

export const secretRef = z
  .string()
  .regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/,
    'Give a secret as "env:VARIABLE" or "file:/path/to/file", never inline',
  )
  .describe(
    'A secret reference: "env:NAME" reads an environment variable, "file:/path" a mounted file (re-read on change).',
  );

const HOUR = 3_600_000;
const oauthConfig = z
  .object({
    clients: z
      .array(
        z
          .object({
            id: z.string().min(1).describe('The client identifier pasted into Entra.'),
            secret: secretRef.describe('The client secret pasted into Entra.'),
          })
          .strict(),
      )
      .min(1)
      .describe('Client credentials; one id may appear with several secrets during rotation.'),
    tokenLifetime: duration
      .default('1h')
      .refine(
        (value) => toMilliseconds(value) >= HOUR && toMilliseconds(value) <= 6 * HOUR,
        "Give a token lifetime between 60 minutes and 6 hours (Microsoft's validation checks this)",
      )
      .describe('How long an issued access token is valid: 1h to 6h.'),
  })
  .strict();

const jwtConfig = z
  .object({
    issuer: z.string().min(1).describe('The exact "iss", e.g. https://sts.windows.net/<tenantId>/ for Entra.'),
    audience: z
      .string()
      .min(1)
      .describe('The expected "aud", e.g. 8adf8e6e-67b2-4cf2-a259-e3dc5476c621 for Entra\'s own tokens.'),
    jwksUrl: z
      .url()
      .describe("The issuer's key set, e.g. https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys."),
  })
  .strict();

const app = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'Use letters, digits, "-" and "_"; it appears in the Tenant URL')
      .describe('The app id in the Tenant URL: /apps/<id>/scim/v2.'),
    connector: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/)
      .describe('The connector folder name under a connector directory.'),
    tokens: z
      .array(secretRef)
      .default([])
      .describe('Bearer tokens Entra may use (several at once during rotation). Optional when oauth or jwt is given.'),
    oauth: oauthConfig
      .optional()
      .describe(
        'Lets Entra get tokens at /apps/<id>/oauth/token (client credentials grant); needs server.tokenSigningKey.',
      ),
    jwt: jwtConfig
      .optional()
      .describe("Accepts JWTs of an external issuer (e.g. Entra's own), checked against its key set."),
    settings: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe('Values for the connector\'s settings; strings may be "env:NAME".'),
    secrets: z.record(z.string(), secretRef).default({}).describe("References for the connector's secrets."),
    schemaExtensions: z
      .object({ User: schemaExtensions.optional(), Group: schemaExtensions.optional() })
      .strict()
      .optional()
      .describe(
        "Extension schemas for this app, e.g. the one of an Entra custom attribute; added to the connector's own.",
      ),
    customFields: z
      .object({
        User: z.record(z.string(), z.string().min(1)).optional(),
        Group: z.record(z.string(), z.string().min(1)).optional(),
      })
      .strict()
      .optional()
      .describe(
        "SCIM attribute → the app's custom field (name or id), for connectors that declare mappings.<kind>.customFields.",
      ),
    rateLimit: z
      .object({
        requests: z
          .number()
          .nonnegative()
          .describe('Calls per period; 0 turns pacing off (only the concurrency cap remains).'),
        per: period.default('1s'),
        concurrency: z.number().int().positive().optional(),
        buckets: z
          .record(z.string(), z.object({ requests: z.number().positive(), per: period }).strict())
          .default({})
          .describe(
            "Overrides of the connector's rateLimit.buckets, by name (e.g. a plan with a higher per-user limit).",
          ),
      })
      .strict()
      .optional()
      .describe("Overrides the connector's default budget for this app."),
    onDelete: z
      .enum(['delete', 'deactivate'])
      .optional()
      .describe(
        "What Entra's DELETE of a user does in the app (default delete): delete the account, or deactivate it and keep the mapping (hidden from Entra) so that re-assigning the user reactivates the same account. Groups are always deleted.",
      ),
    adoptExisting: z
      .boolean()
      .optional()
      .describe(
        "Whether (default true) accounts the app already holds (made before Entra, or by hand) are taken over when Entra's match query or create meets them; false answers Entra's create with 409 instead.",
      ),
    snapshot: z
      .object({
        every: period.describe(
          'How often to list the app into a new snapshot (one replica lists; the others read it).',
        ),
        maxAge: period
          .optional()
          .describe(
            "How old a snapshot may be and still answer Entra's reads; past it every read asks the app. Default: twice `every`.",
          ),
        fullEvery: period
          .optional()
          .describe(
            'With a connector that can list changes since a time (list.changedSince): how often to list everything anyway, the only way to see deletions made in the app. Refreshes in between list only changes. Default 24h.',
          ),
      })
      .strict()
      .refine((value) => value.maxAge === undefined || toMilliseconds(value.maxAge) >= toMilliseconds(value.every), {
        message: 'maxAge must be at least `every`, or reads fall back to the app between refreshes',
        path: ['maxAge'],
      })
      .optional()
      .describe(
        "Keeps a snapshot of the app's users and groups in the store, so that Entra's match queries and reads before updates need no app call while it is fresh.",
      ),
  })
  .strict();

export const gatewayConfig = z
  .object({
    $schema: z.string().optional(),
    apiVersion: z.literal('scimgw/v1'),
    kind: z.literal('Gateway'),
    server: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8080),
        publicUrl: z
          .url()
          .optional()
          .describe(
            'scheme://host[:port] as Entra reaches the gateway. Set it outside loopback: Location headers and meta.location name it, whatever Host a request carries.',
          ),
        allowedHosts: z
          .array(
            z
              .string()
              .regex(
                /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/,
                'Give a host name or address, optionally with :port',
              ),
          )
          .optional()
          .describe(
            'Without publicUrl: the Host headers (host[:port]) SCIM requests may carry besides loopback names; others are refused, so a forged Host never reaches a Location header.',
          ),
        trustProxy: z.boolean().default(false),
        requestTimeout: duration
          .default('50s')
          .describe('Time budget per SCIM request; Entra gives up after about 60 s.'),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024),
        receiveTimeout: duration
          .optional()
          .describe(
            'The longest a client may take to send a request, headers and body (default 60s); then the connection is closed. Bodies also have to arrive within requestTimeout.',
          ),
        maxConnections: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Connections held open at once (default 1024); more are refused as they arrive.'),
        tokenSigningKey: secretRef
          .optional()
          .describe('Signs the access tokens of apps with oauth (at least 32 characters; the same on every replica).'),
        tls: z
          .object({
            cert: secretRef.describe(
              'The certificate chain in PEM, e.g. file:/tls/tls.crt (a Kubernetes TLS Secret mounted as files).',
            ),
            key: secretRef.describe('The private key in PEM, e.g. file:/tls/tls.key.'),
            minVersion: z
              .enum(['TLSv1.2', 'TLSv1.3'])
              .default('TLSv1.2')
              .describe('Entra calls with TLS 1.2; 1.3 would lock it out.'),
          })
          .strict()
          .optional()
          .describe(
            'Serve HTTPS directly (Entra only calls public HTTPS endpoints). Certificate files are re-read when they change, without a restart. Leave out behind a TLS-terminating ingress.',
          ),
      })
      .strict()
      .default({ host: '0.0.0.0', port: 8080, trustProxy: false, requestTimeout: '50s', maxBodyBytes: 1024 * 1024 }),
    store: z
      .discriminatedUnion('type', [
        z
          .object({
            type: z.literal('embedded'),
            dataDir: z.string().default('./data').describe('Folder of the id map file (scimgw.sqlite).'),
          })
          .strict()
          .describe('One SQLite file: for a single instance.'),
        z
          .object({
            type: z.literal('redis'),
            url: z
              .string()
              .optional()
              .describe('redis://[user:password@]host:port[/db], or "env:NAME" (default env:REDIS_URL).'),
            password: secretRef.optional(),
            tls: z.boolean().default(false),
            sentinels: z
              .array(z.object({ host: z.string(), port: z.number().int() }).strict())
              .optional()
              .describe('Sentinel nodes; then sentinelName names the master.'),
            sentinelName: z.string().default('mymaster'),
            cluster: z
              .array(z.object({ host: z.string(), port: z.number().int() }).strict())
              .optional()
              .describe('Cluster seed nodes.'),
            prefix: z
              .string()
              .regex(/^[A-Za-z0-9_.-]+$/)
              .default('scimgw')
              .describe('Key prefix, to share one Redis between gateways.'),
            lockLease: duration.default('15s').describe('How long a lock outlives a replica that died holding it.'),
          })
          .strict()
          .describe('Redis: for several replicas.'),
      ])
      .default({ type: 'embedded', dataDir: './data' }),
    observability: z
      .object({
        logPersonalData: z
          .boolean()
          .default(false)
          .describe(
            'Debug only: log SCIM query strings, which can hold userNames and emails. Bodies and attribute values are never logged.',
          ),
        audit: z
          .object({
            stdout: z
              .boolean()
              .default(true)
              .describe('Write audit events to the log (JSON lines with "audit": true).'),
            file: z.string().optional().describe('Also append audit events, one JSON object per line, to this file.'),
          })
          .strict()
          .default({ stdout: true }),
      })
      .strict()
      .optional()
      .describe('Logs and the audit trail (one event per create, replace, patch and delete; no personal data).'),
    connectorDirs: z
      .array(z.string())
      .default(['./connectors'])
      .describe('Folders holding connector folders, searched in order.'),
    apps: z.array(app).min(1),
    admin: z
      .object({
        tokens: z
          .array(secretRef)
          .min(1)
          .describe('Bearer tokens that open /admin/status and /admin/status.json (read at start-up).'),
      })
      .strict()
      .optional()
      .describe('The operator status page; without it /admin/status answers 404.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.apps.forEach((entry, index) => {
      if (seen.has(entry.id))
        ctx.addIssue({
          code: 'custom',
          path: ['apps', index, 'id'],
          message: `The app id "${entry.id}" is used twice`,
        });
      seen.add(entry.id);
      if (!entry.tokens.length && !entry.oauth && !entry.jwt)
        ctx.addIssue({
          code: 'custom',
          path: ['apps', index, 'tokens'],
          message: 'Give at least one way in: tokens, oauth or jwt',
        });
      if (entry.oauth && !config.server.tokenSigningKey)
        ctx.addIssue({
          code: 'custom',
          path: ['apps', index, 'oauth'],
          message: 'oauth needs server.tokenSigningKey to sign the access tokens',
        });
    });
  });

export type GatewayConfig = z.infer<typeof gatewayConfig>;
export type AppConfig = GatewayConfig['apps'][number];
