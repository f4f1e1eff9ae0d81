/**
 * gateway.yaml: which apps the gateway serves, with which connector, inbound tokens and app
 * credentials; where it stores ids; how it listens. The zod schema is the single source for validation
 * and for schemas/gateway.schema.json.
 */
import { z } from 'zod';
import { duration, period } from './duration.ts';

export const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'Give a secret as "env:VARIABLE" or "file:/path/to/file", never inline')
  .describe('A secret reference: "env:NAME" reads an environment variable, "file:/path" a mounted file (re-read on change).');


const app = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'Use letters, digits, "-" and "_"; it appears in the Tenant URL').describe('The app id in the Tenant URL: /apps/<id>/scim/v2.'),
    connector: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).describe('The connector folder name under a connector directory.'),
    tokens: z.array(secretRef).min(1).describe('Bearer tokens Entra may use (several at once during rotation).'),
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}).describe('Values for the connector\'s settings; strings may be "env:NAME".'),
    secrets: z.record(z.string(), secretRef).default({}).describe('References for the connector\'s secrets.'),
    rateLimit: z
      .object({
        requests: z.number().nonnegative().describe('Calls per period; 0 turns pacing off (only the concurrency cap remains).'),
        per: period.default('1s'),
        concurrency: z.number().int().positive().optional(),
        buckets: z
          .record(z.string(), z.object({ requests: z.number().positive(), per: period }).strict())
          .default({})
          .describe('Overrides of the connector\'s rateLimit.buckets, by name (e.g. a plan with a higher per-user limit).'),
      })
      .strict()
      .optional()
      .describe('Overrides the connector\'s default budget for this app.'),
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
        publicUrl: z.url().optional().describe('scheme://host[:port] as Entra reaches the gateway, when behind a proxy.'),
        trustProxy: z.boolean().default(false),
        requestTimeout: duration.default('50s').describe('Time budget per SCIM request; Entra gives up after about 60 s.'),
        maxBodyBytes: z.number().int().positive().default(1024 * 1024),
      })
      .strict()
      .default({ host: '0.0.0.0', port: 8080, trustProxy: false, requestTimeout: '50s', maxBodyBytes: 1024 * 1024 }),
    store: z
      .discriminatedUnion('type', [
        z
          .object({ type: z.literal('embedded'), dataDir: z.string().default('./data').describe('Folder of the id map file (scimgw.sqlite).') })
          .strict()
          .describe('One SQLite file: for a single instance.'),
        z
          .object({
            type: z.literal('redis'),
            url: z.string().optional().describe('redis://[user:password@]host:port[/db], or "env:NAME" (default env:REDIS_URL).'),
            password: secretRef.optional(),
            tls: z.boolean().default(false),
            sentinels: z.array(z.object({ host: z.string(), port: z.number().int() }).strict()).optional().describe('Sentinel nodes; then sentinelName names the master.'),
            sentinelName: z.string().default('mymaster'),
            cluster: z.array(z.object({ host: z.string(), port: z.number().int() }).strict()).optional().describe('Cluster seed nodes.'),
            prefix: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('scimgw').describe('Key prefix, to share one Redis between gateways.'),
            lockLease: duration.default('15s').describe('How long a lock outlives a replica that died holding it.'),
          })
          .strict()
          .describe('Redis: for several replicas.'),
      ])
      .default({ type: 'embedded', dataDir: './data' }),
    connectorDirs: z.array(z.string()).default(['./connectors']).describe('Folders holding connector folders, searched in order.'),
    apps: z.array(app).min(1),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.apps.forEach((entry, index) => {
      if (seen.has(entry.id)) ctx.addIssue({ code: 'custom', path: ['apps', index, 'id'], message: `The app id "${entry.id}" is used twice` });
      seen.add(entry.id);
    });
  });

export type GatewayConfig = z.infer<typeof gatewayConfig>;
export type AppConfig = GatewayConfig['apps'][number];
