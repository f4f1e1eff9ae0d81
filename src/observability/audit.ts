/**
 * The audit trail: one event per provisioning operation (create, replace, patch, delete), emitted from
 * one middleware after the handler and the SCIM error mapping, so failures are audited like successes.
 * An event names the app, operation, resource type, SCIM id and app id, the outcome, the duration and the
 * request id: never an attribute value, so the trail can be kept longer than personal data may. Only
 * authenticated requests are audited, and ids are cut at 128 characters.
 *
 * The app id is learnt from the id map calls the operation makes (TimedIdMap calls noteRecord), through
 * an AsyncLocalStorage scope per request, so handlers and provisioning need not thread it through.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Middleware } from 'koa';
import { shapeOf } from '../http/middleware/inbound-metrics.ts';
import type { MappingRecord } from '../core/id-map.ts';
import type { Logger } from './logger.ts';

export interface AuditEvent {
  timestamp: string;
  requestId: string;
  app: string;
  operation: 'create' | 'replace' | 'patch' | 'delete';
  resourceType: 'User' | 'Group';
  scimId: string | null;
  appId: string | null;
  outcome: 'success' | 'error';
  status: number;
  /** The gateway's error code (SCIMGW_…) when the outcome is an error. */
  errorCode?: string;
  durationMs: number;
}

export interface AuditSink {
  write(event: AuditEvent): void;
  close(): Promise<void>;
}

export interface AuditOptions {
  stdout: boolean;
  file?: string;
}

/** The configured sinks: the logger (a JSON line with audit: true) and/or an append-only file. */
export function createAuditSink(options: AuditOptions, logger: Logger): AuditSink {
  let file: WriteStream | undefined;
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    file = createWriteStream(options.file, { flags: 'a' });
    file.on('error', (error) => logger.error({ err: error, file: options.file }, 'audit file write failed'));
  }
  return {
    write(event) {
      if (options.stdout) logger.info({ audit: true, ...event }, 'audit');
      file?.write(`${JSON.stringify(event)}\n`);
    },
    close() {
      return new Promise((resolve) => (file ? file.end(() => resolve()) : resolve()));
    },
  };
}

const scope = new AsyncLocalStorage<Map<string, string | null>>();

/** Remembers a record's app id for the audit event of the request in progress; returns the record. */
export function noteRecord<T extends MappingRecord | undefined>(record: T): T {
  if (record) scope.getStore()?.set(`${record.kind}:${record.scimId}`, record.appId);
  return record;
}

/** Set by the create handler: a create's record gains its app id only after the answer (confirmCreate). */
function createdAppId(state: Record<string, unknown>): string | null {
  return typeof state.createdAppId === 'string' ? state.createdAppId : null;
}

const AUDITED = new Set(['create', 'replace', 'patch', 'delete']);
/** SCIM ids are UUIDs; anything much longer came from a client and is cut, so a line stays a line. */
const MAX_ID = 128;
const clip = (id: string) => (id.length > MAX_ID ? `${id.slice(0, MAX_ID)}…` : id);

export function auditTrail(sink: () => AuditSink | undefined): Middleware {
  return async (ctx, next) => {
    const shape = shapeOf(ctx);
    if (!shape || shape.resource === 'none' || !AUDITED.has(shape.operation)) {
      await next();
      return;
    }
    const started = performance.now();
    const seen = new Map<string, string | null>();
    try {
      await scope.run(seen, next);
    } finally {
      const target = sink();
      // Requests for an app that is not configured, or without a valid token, are not provisioning
      // operations of any app: auditing them would let anyone write the trail.
      if (target && typeof ctx.state.appId === 'string' && ctx.state.principal !== undefined) {
        const location = ctx.response.get('Location');
        const scimId =
          shape.id ?? (location ? decodeURIComponent(location.slice(location.lastIndexOf('/') + 1)) : null);
        const success = ctx.status < 400;
        target.write({
          timestamp: new Date().toISOString(),
          requestId: String(ctx.state.requestId),
          app: ctx.state.appId,
          operation: shape.operation as AuditEvent['operation'],
          resourceType: shape.resource,
          scimId: scimId === null ? null : clip(scimId),
          appId: scimId === null ? null : (seen.get(`${shape.resource}:${scimId}`) ?? createdAppId(ctx.state)),
          outcome: success ? 'success' : 'error',
          status: ctx.status,
          ...(!success && ctx.state.errorCode ? { errorCode: String(ctx.state.errorCode) } : {}),
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        });
      }
    }
  };
}
