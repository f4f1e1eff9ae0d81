/**
 * The Helm chart, without helm (none in CI, and the npm package that ships one downloads it at
 * postinstall): values.yaml checked against values.schema.json, every template rendered by the subset
 * renderer in go-template.ts, and every rendered document parsed and checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { gatewayConfig } from '../../src/config/schema.ts';
import { renderTemplate } from './go-template.ts';
import { validate, type Schema } from './json-schema.ts';

const CHART = join(import.meta.dirname, '..', '..', 'deploy', 'helm', 'scim-gateway');
const defaults = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Schema;

type Doc = Record<string, any>;

/** Helm's merge of --set/-f values over the chart's: maps merge, everything else replaces. */
function merge(base: unknown, over: unknown): unknown {
  if (
    base &&
    over &&
    typeof base === 'object' &&
    typeof over === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(over)
  ) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(over)) out[key] = merge(out[key], value);
    return out;
  }
  return over === undefined ? base : over;
}

function render(overrides: Record<string, unknown> = {}): { docs: Doc[]; notes: string } {
  const Values = merge(defaults, overrides) as Record<string, unknown>;
  expect(validate(schema, Values)).toEqual([]);
  const context = { Values, Release: { Name: 'scimgw', Namespace: 'default' } };
  const dir = join(CHART, 'templates');
  const docs: Doc[] = [];
  let notes = '';
  for (const name of readdirSync(dir).sort()) {
    const text = renderTemplate(readFileSync(join(dir, name), 'utf8'), context);
    if (name === 'NOTES.txt') {
      notes = text;
      continue;
    }
    for (const doc of parseAllDocuments(text)) {
      expect(doc.errors, `${name}: ${doc.errors.join('; ')}`).toEqual([]);
      const value = doc.toJS() as Doc | null;
      if (value) docs.push(value);
    }
  }
  return { docs, notes };
}

const byKind = (docs: Doc[], kind: string) => docs.filter((doc) => doc.kind === kind);
const deploymentOf = (docs: Doc[]) => byKind(docs, 'Deployment')[0]!;
const containerOf = (docs: Doc[]) => deploymentOf(docs).spec.template.spec.containers[0];

describe('values.schema.json', () => {
  it("accepts the chart's values.yaml", () => {
    expect(validate(schema, defaults)).toEqual([]);
  });

  it('refuses wrong types, missing keys and a root user', () => {
    const bad = merge(defaults, {
      replicaCount: 'two',
      podSecurityContext: { runAsNonRoot: false },
      service: { port: 0 },
      config: { apps: [] },
    });
    const errors = validate(schema, bad).join('\n');
    expect(errors).toContain('$.replicaCount: expected integer');
    expect(errors).toContain('$.podSecurityContext.runAsNonRoot: must be one of [true]');
    expect(errors).toContain('$.service.port: must be >= 1');
    expect(errors).toContain('$.config.apps: needs at least 1 item(s)');
    const { image: _image, ...withoutImage } = defaults;
    expect(validate(schema, withoutImage)).toContain('$.image: required');
  });
});

describe('templates with the default values', () => {
  const { docs, notes } = render();

  it('renders a Deployment, Service and ConfigMap; no PDB or ServiceMonitor', () => {
    expect(docs.map((doc) => doc.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
    for (const doc of docs) expect(doc.metadata.labels['app.kubernetes.io/instance']).toBe('scimgw');
    expect(notes).toContain('kubectl port-forward svc/scimgw 8080:80');
  });

  it('probes /livez and /readyz on the http port, runs --config /config/gateway.yaml', () => {
    const container = containerOf(docs);
    expect(container.image).toBe('scim-gateway:0.1.0');
    expect(container.args).toEqual(['--config', '/config/gateway.yaml']);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.startupProbe.httpGet.path).toBe('/livez');
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
  });

  it('runs non-root on a read-only root filesystem, writing only to emptyDirs', () => {
    const deployment = deploymentOf(docs);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    expect(containerOf(docs).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const volumes = Object.fromEntries(pod.volumes.map((volume: Doc) => [volume.name, volume]));
    expect(volumes.tmp.emptyDir).toEqual({});
    expect(volumes.data.emptyDir).toEqual({});
    const writable = containerOf(docs)
      .volumeMounts.filter((mount: Doc) => !mount.readOnly)
      .map((mount: Doc) => mount.mountPath);
    expect(writable.sort()).toEqual(['/data', '/tmp']);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
  });

  it('mounts the config, connectors and secrets where gateway.yaml expects them', () => {
    const pod = deploymentOf(docs).spec.template.spec;
    const mounts = Object.fromEntries(
      containerOf(docs).volumeMounts.map((mount: Doc) => [mount.name, mount.mountPath]),
    );
    expect(mounts).toMatchObject({ config: '/config', connectors: '/connectors', secrets: '/secrets' });
    const volumes = Object.fromEntries(pod.volumes.map((volume: Doc) => [volume.name, volume]));
    expect(volumes.config.configMap.name).toBe('scimgw-config');
    expect(volumes.secrets.projected.sources).toEqual([{ secret: { name: 'scim-gateway-demo' } }]);
    expect(volumes.connectors.projected.sources).toEqual([]);
  });

  it('ships a gateway.yaml that the gateway itself accepts, reading secrets from /secrets', () => {
    const configMap = byKind(docs, 'ConfigMap')[0]!;
    const raw = parse(configMap.data['gateway.yaml']) as Doc;
    const config = gatewayConfig.parse(raw);
    expect(config.connectorDirs).toEqual(['/connectors', '/app/connectors']);
    expect(config.store).toEqual({ type: 'embedded', dataDir: '/data' });
    expect((raw.apps[0].tokens as string[]).every((ref) => ref.startsWith('file:/secrets/'))).toBe(true);
  });

  it('sets no REDIS_URL and selects the pods from the Service', () => {
    const env = containerOf(docs).env as Doc[];
    expect(env.map((entry) => entry.name)).toEqual(['PORT', 'SHUTDOWN_DELAY_MS', 'SHUTDOWN_TIMEOUT_MS', 'LOG_LEVEL']);
    // The drain (readiness failing, then requests finishing) must fit in the pod's grace period.
    const drainMs = env
      .filter((entry) => entry.name.startsWith('SHUTDOWN_'))
      .reduce((sum, entry) => sum + Number(entry.value), 0);
    expect(deploymentOf(docs).spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs);
    const service = byKind(docs, 'Service')[0]!;
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(service.spec.selector).toEqual(deploymentOf(docs).spec.selector.matchLabels);
  });
});

describe('templates for several replicas on Redis, monitored', () => {
  const overrides = {
    replicaCount: 3,
    strategy: { type: 'RollingUpdate' },
    redis: { existingSecret: { name: 'redis-credentials' } },
    podDisruptionBudget: { enabled: true, minAvailable: 2 },
    metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
    connectors: {
      sources: [
        { configMap: { name: 'acme-connector', items: [{ key: 'connector.yaml', path: 'acme/connector.yaml' }] } },
      ],
    },
  };
  const { docs, notes } = render(overrides);

  it('takes REDIS_URL from the Secret, and from redis.url only when no Secret is named', () => {
    const env = containerOf(docs).env as Doc[];
    expect(env.filter((entry) => entry.name === 'REDIS_URL')).toEqual([
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'redis-credentials', key: 'redis-url' } } },
    ]);
    expect(notes).toContain('Redis from the Secret redis-credentials');
    const byUrl = containerOf(render({ redis: { url: 'redis://redis:6379' } }).docs).env as Doc[];
    expect(byUrl.filter((entry) => entry.name === 'REDIS_URL')).toEqual([
      { name: 'REDIS_URL', value: 'redis://redis:6379' },
    ]);
  });

  it('deploys a bundled Redis on request and points REDIS_URL at its Service, unless a URL is given', () => {
    expect(byKind(docs, 'Deployment')).toHaveLength(1);
    const bundled = render({ replicaCount: 2, redis: { bundled: { enabled: true } } });
    const redis = byKind(bundled.docs, 'Deployment').find((doc) => doc.metadata.name === 'scimgw-redis')!;
    expect(redis.spec.template.spec.containers[0].image).toMatch(/^redis:/);
    const service = byKind(bundled.docs, 'Service').find((doc) => doc.metadata.name === 'scimgw-redis')!;
    expect(service.spec.selector).toEqual(redis.spec.selector.matchLabels);
    const gateway = byKind(bundled.docs, 'Deployment').find((doc) => doc.metadata.name !== 'scimgw-redis')!;
    const env = gateway.spec.template.spec.containers[0].env as Doc[];
    expect(env.filter((entry) => entry.name === 'REDIS_URL')).toEqual([
      { name: 'REDIS_URL', value: 'redis://scimgw-redis:6379' },
    ]);
    expect(bundled.notes).toContain('bundled Redis scimgw-redis');
    const overridden = render({ redis: { url: 'redis://elsewhere:6379', bundled: { enabled: true } } });
    const overriddenEnv = byKind(overridden.docs, 'Deployment').find((doc) => doc.metadata.name !== 'scimgw-redis')!
      .spec.template.spec.containers[0].env as Doc[];
    expect(overriddenEnv.filter((entry) => entry.name === 'REDIS_URL')).toEqual([
      { name: 'REDIS_URL', value: 'redis://elsewhere:6379' },
    ]);
  });

  it('renders a PodDisruptionBudget with minAvailable over the same pods', () => {
    expect(deploymentOf(docs).spec.replicas).toBe(3);
    const [pdb] = byKind(docs, 'PodDisruptionBudget');
    expect(pdb!.apiVersion).toBe('policy/v1');
    expect(pdb!.spec.minAvailable).toBe(2);
    expect(pdb!.spec.selector.matchLabels).toEqual(deploymentOf(docs).spec.selector.matchLabels);
  });

  it('renders no Ingress by default, and on request one that serves only /apps/ over TLS', () => {
    expect(byKind(render().docs, 'Ingress')).toEqual([]);
    const { docs } = render({
      ingress: {
        enabled: true,
        className: 'nginx',
        host: 'scim.acme.example',
        annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' },
        tls: { secretName: 'scim-tls' },
      },
    });
    const [ingress] = byKind(docs, 'Ingress');
    expect(ingress).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'scimgw', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' } },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['scim.acme.example'], secretName: 'scim-tls' }],
        rules: [
          {
            host: 'scim.acme.example',
            http: {
              paths: [
                {
                  path: '/apps/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'scimgw', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    });
    // The backend is the chart's own Service, on its named port.
    const [service] = byKind(docs, 'Service');
    expect(service!.metadata.name).toBe('scimgw');
    expect(service!.spec.ports[0].name).toBe('http');
    // The gateway is told the public address, so Location headers name it rather than refusing the Host.
    const env = byKind(docs, 'Deployment')[0]!.spec.template.spec.containers[0].env as {
      name: string;
      value?: string;
    }[];
    expect(env).toContainEqual({ name: 'SCIMGW_PUBLIC_URL', value: 'https://scim.acme.example' });
    expect(
      (byKind(render().docs, 'Deployment')[0]!.spec.template.spec.containers[0].env as { name: string }[]).map(
        (entry) => entry.name,
      ),
    ).not.toContain('SCIMGW_PUBLIC_URL');
    // Without a class name the cluster default applies.
    const plain = byKind(render({ ingress: { enabled: true } }).docs, 'Ingress')[0]!;
    expect(plain.spec.ingressClassName).toBeUndefined();
  });

  it('refuses an ingress without a host or TLS secret', () => {
    const Values = merge(defaults, { ingress: { enabled: true, host: '', tls: {} } });
    expect(validate(schema, Values).length).toBeGreaterThan(0);
  });

  it('renders a ServiceMonitor scraping /metrics on the http port, with the extra labels', () => {
    const [monitor] = byKind(docs, 'ServiceMonitor');
    expect(monitor!.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor!.metadata.labels.release).toBe('prometheus');
    expect(monitor!.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    expect(monitor!.spec.selector.matchLabels).toEqual(byKind(docs, 'Service')[0]!.spec.selector);
  });

  it('projects the connector ConfigMaps into /connectors', () => {
    const volumes = deploymentOf(docs).spec.template.spec.volumes as Doc[];
    expect(volumes.find((volume) => volume.name === 'connectors')!.projected.sources).toEqual(
      overrides.connectors.sources,
    );
  });

  it('mounts an existing claim for /data when one is named', () => {
    const volumes = deploymentOf(render({ persistence: { existingClaim: 'scimgw-data' } }).docs).spec.template.spec
      .volumes as Doc[];
    expect(volumes.find((volume) => volume.name === 'data')).toEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'scimgw-data' },
    });
  });
});

describe('the subset renderer', () => {
  it("refuses template syntax outside the chart's subset", () => {
    const context = { Values: {}, Release: { Name: 'x', Namespace: 'default' } };
    expect(() => renderTemplate('{{ range .Values.list }}{{ end }}', context)).toThrow(/subset/);
    expect(() => renderTemplate('{{ .Values.x | default "y" }}', context)).toThrow(/subset/);
    expect(() => renderTemplate('{{ include "name" . }}', context)).toThrow(/subset/);
  });
});
