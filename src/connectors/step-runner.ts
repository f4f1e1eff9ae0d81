/**
 * Runs one operation of a connector: its steps in order, each rendered from the bindings and sent through
 * the app's caller, with `when`, `extract` and paginated steps. Returns the answer of the last call made
 * with every step's extracted values ($steps). After the first write has been sent, the rest of the
 * operation no longer stops when the client hangs up.
 */
import type { Caller, CallContext, CallResult } from './caller.ts';
import type { CompiledOperation } from './compiled.ts';
import type { Bindings } from './expression.ts';
import { outcomeError } from './outcomes.ts';
import { walkPages } from './paginate.ts';

/** The last answer of an operation, and the values its steps extracted. */
export type RunResult = CallResult & { steps: Record<string, Record<string, unknown>> };

export class StepRunner {
  readonly #caller: Caller;
  readonly #connectorId: string;
  readonly #secretBindings: Bindings;

  constructor(caller: Caller, connectorId: string, secretBindings: Bindings) {
    this.#caller = caller;
    this.#connectorId = connectorId;
    this.#secretBindings = secretBindings;
  }

  /**
   * Skipped steps (`when` false) leave the previous answer standing, so an optional final step (assign
   * roles after a create) does not lose the object the create returned. A conflict in any step is the
   * operation's answer, so a multi-step create can still adopt (onConflict: adopt).
   */
  async run(
    operation: CompiledOperation,
    name: string,
    bindings: Bindings,
    context: CallContext,
    conflictDetectable = false,
  ): Promise<RunResult | undefined> {
    const steps: Record<string, Record<string, unknown>> = {};
    let scope = context;
    let last: CallResult | undefined;
    for (const [index, step] of operation.steps.entries()) {
      const isLast = index === operation.steps.length - 1;
      const scoped: Bindings = { ...bindings, steps };
      if (step.when && !(await step.when.evaluate(scoped.scim ?? {}, scoped))) continue;
      const values: Record<string, unknown> = {};
      if (step.pagination && step.items) {
        last = undefined;
        const items: unknown[] = [];
        const walk = {
          request: step.request,
          pagination: step.pagination,
          items: step.items,
          outcomes: step.outcomes,
          operation: `${name}.${step.name}`,
        };
        for await (const page of walkPages(this.#caller, walk, scoped, { ...this.#secretBindings, ...scoped }, scope))
          items.push(...page.items);
        for (const [key, expression] of step.extract) values[key] = await expression.evaluate(items, scoped);
      } else {
        const request = await this.#caller.render(step.request, scoped, { ...scoped, ...this.#secretBindings });
        last = await this.#caller.send(request, step.outcomes, scope, { operation: name, conflictDetectable });
        // Once a write has reached the app, the operation finishes even if Entra hangs up: what the app did
        // (a user created) is then recorded, not lost. Only the deadline still bounds it.
        if (request.method !== 'GET')
          scope = { deadline: context.deadline, ...(context.requestId ? { requestId: context.requestId } : {}) };
        if (!isLast && last.outcome.result === 'conflict') return { ...last, steps };
        if (!isLast && last.outcome.result !== 'success') throw this.error(last, `${name}.${step.name}`);
        for (const [key, expression] of step.extract)
          values[key] = await expression.evaluate(last.body, { ...scoped, status: last.status, headers: last.headers });
      }
      steps[step.name] = values;
    }
    return last ? { ...last, steps } : undefined;
  }

  /** The gateway error for an answer that is not a success. */
  error(result: CallResult, operation: string) {
    return outcomeError(result.outcome.result, {
      connector: this.#connectorId,
      operation,
      status: result.status,
      ...(result.outcome.message ? { message: result.outcome.message } : {}),
    });
  }
}
