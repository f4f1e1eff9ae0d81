/**
 * The status page as one server-rendered HTML document: inline CSS, no script, refreshed by the browser
 * every 10 s. Every value from config or traffic goes through escapeHtml, so an id or code can never
 * become markup.
 */
import type { AppStatus, GatewayStatus } from './status-data.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;background:#f6f8fa}
h1{font-size:1.3rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:0 0 .5rem}
.muted{color:#57606a}.app{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem;margin:1rem 0}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:0 0 .75rem}dt{color:#57606a}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #d0d7de}
code{font:12px ui-monospace,monospace}
.health{display:inline-block;padding:0 .5rem;border-radius:1rem;font-weight:600}
.closed{background:#dafbe1;color:#116329}.half-open{background:#fff8c5;color:#7d4e00}.open{background:#ffebe9;color:#a40e26}.unknown{background:#eaeef2}
`;

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function errorRows(app: AppStatus): string {
  if (!app.lastErrors.length) return '<p class="muted">No errors since start.</p>';
  const rows = app.lastErrors
    .map(
      (error) =>
        `<tr><td>${escapeHtml(error.time)}</td><td><code>${escapeHtml(error.requestId)}</code></td><td>${escapeHtml(error.method)}</td><td>${escapeHtml(error.status)}</td><td><code>${escapeHtml(error.code || '-')}</code></td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>time</th><th>request id</th><th>method</th><th>status</th><th>code</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function unmappedList(app: AppStatus): string {
  const rows = (['User', 'Group'] as const).flatMap((kind) =>
    app.unmappedAttributes[kind].map((name) => `<li>${kind}: <code>${escapeHtml(name)}</code></li>`),
  );
  if (!rows.length) return '<p class="muted">None: every attribute Entra sent reaches the app.</p>';
  return `<p class="muted">Kept and returned to Entra, but the app never receives them. Map them in the connector, or to custom fields with customFields.</p><ul>${rows.join('')}</ul>`;
}

function driftLine(drift: NonNullable<AppStatus['snapshot']>['kinds'][number]['drift']): string {
  if (!drift) return '';
  const { orphans, vanished, changed } = drift.counts;
  if (orphans + vanished + changed === 0) return '<br>no drift: the app holds what Entra provisioned';
  const attributes = Object.entries(drift.changedAttributes)
    .sort(([, a], [, b]) => b - a)
    .map(([name, count]) => `<code>${escapeHtml(name)}</code> ${escapeHtml(count)}`)
    .join(', ');
  return `<br>drift: ${escapeHtml(orphans)} in the app but not from Entra, ${escapeHtml(vanished)} gone from the app, ${escapeHtml(changed)} changed in the app${attributes ? ` (${attributes})` : ''}; <code>scimgw drift</code> lists them`;
}

function snapshotSection(app: AppStatus): string {
  const snapshot = app.snapshot;
  if (!snapshot) return '';
  const rows = snapshot.kinds
    .map((kind) => {
      const current = kind.current;
      const made = current
        ? `${escapeHtml(current.objects)} objects, listed in ${escapeHtml(duration(current.ms))} with ${escapeHtml(current.appCalls)} app calls; ${escapeHtml(duration(Math.round(current.ageMs / 1000) * 1000))} old, ${current.fresh ? 'answering reads' : 'too old: reads ask the app'}`
        : 'none yet: reads ask the app';
      const running = kind.refreshing ? `; refreshing here, ${escapeHtml(kind.refreshing.objects)} listed so far` : '';
      const failure = kind.lastFailure
        ? `; last refresh failed at ${escapeHtml(kind.lastFailure.at)}: ${escapeHtml(kind.lastFailure.reason)}`
        : '';
      return `<dt>${escapeHtml(kind.kind)}s</dt><dd>${made}${running}${failure}${driftLine(kind.drift)}</dd>`;
    })
    .join('');
  return `<h3>App snapshot</h3>
<p class="muted">Refreshed every ${escapeHtml(duration(snapshot.everyMs))}; answers Entra's reads while under ${escapeHtml(duration(snapshot.maxAgeMs))} old.</p>
<dl>${rows}</dl>`;
}

function appSection(app: AppStatus): string {
  const { traffic, queue, budget } = app;
  const rate = traffic.requests ? `${((traffic.errors / traffic.requests) * 100).toFixed(1)}%` : '-';
  return `<section class="app" data-app="${escapeHtml(app.id)}">
<h2>${escapeHtml(app.id)}</h2>
<dl>
<dt>connector</dt><dd>${escapeHtml(app.connector.id)} ${escapeHtml(app.connector.version)}</dd>
<dt>health</dt><dd><span class="health ${escapeHtml(app.health)}">circuit ${escapeHtml(app.health)}</span></dd>
<dt>last ${escapeHtml(traffic.windowSeconds / 60)} min</dt><dd>${escapeHtml(traffic.requests)} requests, ${escapeHtml(traffic.errors)} errors (${escapeHtml(traffic.serverErrors)} 5xx), error rate ${escapeHtml(rate)}; ${escapeHtml(traffic.refused)} refused for a missing or wrong token</dd>
<dt>queue</dt><dd>${queue ? `${escapeHtml(queue.waiting)} waiting, ${escapeHtml(queue.inFlight)} in flight, drains in ~${escapeHtml(duration(queue.drainEstimateMs))}` : 'n/a'}</dd>
<dt>budget</dt><dd>${budget ? `${escapeHtml(budget.requests)} requests per ${escapeHtml(duration(budget.perMs))}` : 'unpaced (concurrency cap only)'}</dd>
</dl>
${snapshotSection(app)}
<h3>Attributes the app does not hold</h3>
${unmappedList(app)}
<h3>Last errors</h3>
${errorRows(app)}
</section>`;
}

export function renderStatusPage(status: GatewayStatus): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>SCIM gateway status</title><style>${CSS}</style></head>
<body><h1>SCIM gateway status</h1>
<p class="muted">${escapeHtml(status.apps.length)} app(s) on this replica, as of ${escapeHtml(status.generatedAt)}; refreshes every 10 s.</p>
${status.apps.map(appSection).join('\n')}
</body></html>
`;
}
