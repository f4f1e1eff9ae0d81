/**
 * Outcome rules are written for answers the app gives: a rule for a status the document does not list for
 * that call (Auth0's PATCH /users/{id} has no 409: an e-mail clash comes back as 400) never fires, and the
 * answer it meant is misread by the default rules. Each rule's statuses are held against the documented
 * responses of the call its step makes.
 */
import { readFileSync } from 'node:fs';
import type { ConfigIssue } from '../../errors.ts';
import { issueAt, parseYaml } from '../../config/yaml-source.ts';
import type { CompiledConnector, CompiledOperation } from '../compiled.ts';
import { documentedStatus } from './check-call.ts';
import type { OperationIndex } from './operations.ts';

function operations(connector: CompiledConnector): CompiledOperation[] {
  const out: CompiledOperation[] = [];
  for (const resource of [connector.resources.User, connector.resources.Group]) {
    if (!resource) continue;
    out.push(
      ...[
        resource.create,
        resource.get,
        resource.list,
        resource.update,
        resource.deactivate,
        resource.reactivate,
        resource.delete,
      ].filter((op): op is CompiledOperation => op !== undefined),
    );
    const members = resource.members;
    if (members)
      out.push(
        ...[members.add, members.remove, members.addMany, members.removeMany, members.list].filter(
          (op): op is CompiledOperation => op !== undefined,
        ),
      );
  }
  return out;
}

function steps(connector: CompiledConnector): CompiledOperation['steps'] {
  return operations(connector).flatMap((operation) => operation.steps);
}

export function outcomeStatusIssues(
  connector: CompiledConnector,
  index: OperationIndex,
  pathPrefix: string,
  common: number[],
): ConfigIssue[] {
  const source = parseYaml(connector.file, readFileSync(connector.file, 'utf8'));
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const step of steps(connector)) {
    const url = step.request.url.source;
    if (/^\s*\{\{|^[a-z]+:\/\//i.test(url)) continue;
    const path = `${pathPrefix}${url.replace(/\{\{[\s\S]*?\}\}/g, 'x').replace(/\?.*$/, '')}`;
    const documented = index.find(step.request.method, path);
    if (!documented) continue;
    for (const rule of step.outcomes) {
      for (const status of rule.status) {
        const listed = documentedStatus(documented, status, common);
        if (listed === true || !rule.at) continue;
        const key = `${rule.at.join('.')}\u0000${status}`;
        if (seen.has(key)) continue;
        seen.add(key);
        issues.push(
          issueAt(
            source,
            rule.at,
            `an outcome rule for ${status} on ${step.request.method} ${documented.template}, which the document does not list for it (it lists ${listed}): the rule never fires`,
          ),
        );
      }
    }
  }
  return issues;
}
