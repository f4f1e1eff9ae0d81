/**
 * A group's membership calls: adding and removing members (one bulk call when the connector has one and
 * several change, else one call per member) and listing them (paged, after any preparatory steps).
 */
import { NotSupportedError } from '../errors.ts';
import type { CallContext, Caller } from './caller.ts';
import type { CompiledConnector, CompiledOperation } from './compiled.ts';
import { textOf, type Bindings } from './expression.ts';
import type { Mapper } from './mapper.ts';
import { walkPages } from './paginate.ts';
import type { StepRunner } from './step-runner.ts';

export interface MemberCallParts {
  connector: CompiledConnector;
  caller: Caller;
  runner: StepRunner;
  mapper: Mapper;
  secretBindings: Bindings;
}

export class MemberCalls {
  readonly #parts: MemberCallParts;

  constructor(parts: MemberCallParts) {
    this.#parts = parts;
  }

  #members() {
    const members = this.#parts.connector.resources.Group?.members;
    if (!members)
      throw new NotSupportedError(`The ${this.#parts.connector.id} connector does not manage group members`);
    return members;
  }

  /** Adds or removes members: one bulk call when the connector has one and several are given, else one call each. */
  async change(
    action: 'add' | 'remove',
    groupAppId: string,
    memberAppIds: readonly string[],
    context: CallContext,
  ): Promise<void> {
    const members = this.#members();
    const { runner, mapper } = this.#parts;
    const many = members[action === 'add' ? 'addMany' : 'removeMany'];
    const calls: [CompiledOperation, string, Bindings][] =
      many && memberAppIds.length > 1
        ? [[many, `Group.members.${action}Many`, { id: groupAppId, members: [...memberAppIds] }]]
        : memberAppIds.map((member) => [members[action], `Group.members.${action}`, { id: groupAppId, member }]);
    for (const [operation, name, extra] of calls) {
      const result = await runner.run(operation, name, mapper.bindings('Group', extra), context);
      // Removing someone who is not a member (or already gone) leaves the group as asked.
      if (
        result &&
        result.outcome.result !== 'success' &&
        !(action === 'remove' && result.outcome.result === 'notFound')
      )
        throw runner.error(result, name);
    }
  }

  /**
   * App ids of the group's members, or undefined when the connector cannot list them. With steps, the
   * steps before the last run first (GitHub: read the team's slug) and the last one is paged.
   */
  async list(groupAppId: string, context: CallContext): Promise<string[] | undefined> {
    const list = this.#parts.connector.resources.Group?.members?.list;
    const { runner, mapper, caller, secretBindings } = this.#parts;
    const step = list?.steps.at(-1);
    if (!list || !step) return undefined;
    let bindings = mapper.bindings('Group', { id: groupAppId });
    if (list.steps.length > 1) {
      const before = await runner.run({ steps: list.steps.slice(0, -1) }, 'Group.members.list', bindings, context);
      if (before && before.outcome.result !== 'success') throw runner.error(before, 'Group.members.list');
      bindings = { ...bindings, steps: before?.steps ?? {} };
    }
    const walk = {
      request: step.request,
      pagination: list.pagination,
      items: list.items,
      outcomes: step.outcomes,
      operation: 'Group.members.list',
    };
    const ids: string[] = [];
    for await (const page of walkPages(caller, walk, bindings, { ...bindings, ...secretBindings }, context)) {
      for (const item of page.items) {
        const id = await list.memberId.evaluate(item, bindings);
        if (id !== undefined && id !== null && id !== '') ids.push(textOf(id));
      }
    }
    return ids;
  }
}
