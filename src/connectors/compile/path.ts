/**
 * Paths and filters at run time, following jsonata.js's evaluatePath, evaluateStep and evaluateFilter:
 * each step maps over the previous step's values, results are flattened one level (arrays an array
 * constructor starts a path with excepted), a last step that gives a single array gives it as it is, and
 * a predicate keeps items by index or truthiness.
 *
 * Most of the time a path walks one value at a time (`name.givenName`, `emails[type = "work"]` on one
 * user), so the walk keeps a single value rather than a sequence of one, and a filter that keeps one
 * value gives that value: everything that reads a raw result (a later step, a predicate, the final
 * unwrapping) treats a value that is not an array exactly like a sequence holding it. Nothing found is
 * the shared EMPTY sequence, because an empty result still counts as a result where a step gathers them.
 */
import { bail } from './bail.ts';
import { isNumeric, toBoolean } from './coerce.ts';
import { isCons, EMPTY, Seq, seqOf } from './sequence.ts';
import type { Env, Fn } from './types.ts';

/** One predicate (`[...]`) applied to a value, as JSONata's evaluateFilter. */
export type Filter = (input: unknown, env: Env) => unknown;

export interface Step {
  /** The step node evaluated for one value (its own predicates applied). */
  fn: Fn;
  /** Predicates written after the step (`name[...]`), applied to each value's result. */
  stages: Filter[];
  /** A `$variable` first step makes the path start from the variable rather than map over the context. */
  variable: boolean;
  /** An array constructor starting the path: evaluated once against the whole context, kept unflattened. */
  cons: boolean;
}

/** `[3]`, `[-1]`: the item at that position (from the end when negative); an array item as it is. */
export function indexFilter(position: number): Filter {
  const at = Math.floor(position);
  return (input) => {
    if (!Array.isArray(input)) return input !== undefined && (at === 0 || at === -1) ? input : EMPTY;
    const item: unknown = input[at < 0 ? input.length + at : at];
    return item === undefined ? EMPTY : item;
  };
}

function position(index: number, length: number): number {
  const at = Math.floor(index);
  return at < 0 ? length + at : at;
}

function repeated(item: unknown, times: number): Seq {
  const out = new Seq();
  for (let i = 0; i < times; i++) out.push(item);
  return out;
}

/** `[expr]`: items for which expr is true, or whose position is among the numbers expr gives. */
export function predicateFilter(test: Fn): Filter {
  /** How many times the item is kept (a list of numbers can name a position twice). */
  const keeps = (item: unknown, index: number, length: number, env: Env): number => {
    const result = test(item, env);
    if (isNumeric(result)) return position(result, length) === index ? 1 : 0;
    if (Array.isArray(result)) {
      let numbers = true;
      // Every item is checked, as JSONata's isArrayOfNumbers does: an infinite one must still bail.
      for (let i = 0; i < result.length; i++) if (!isNumeric(result[i])) numbers = false;
      if (numbers) {
        let times = 0;
        for (let i = 0; i < result.length; i++) if (position(result[i] as number, length) === index) times++;
        return times;
      }
    }
    return toBoolean(result) ? 1 : 0;
  };
  return (input, env) => {
    if (!Array.isArray(input)) {
      const times = keeps(input, 0, 1, env);
      if (times === 0) return EMPTY;
      return times === 1 && input !== undefined ? input : repeated(input, times);
    }
    let first: unknown;
    let out: Seq | undefined;
    let count = 0;
    for (let index = 0; index < input.length; index++) {
      const item: unknown = input[index];
      for (let times = keeps(item, index, input.length, env); times > 0; times--, count++) {
        if (count === 0) first = item;
        else (out ??= seqOf(first)).push(item);
      }
    }
    if (count === 0) return EMPTY;
    if (count > 1) return out;
    return first !== undefined && !Array.isArray(first) ? first : seqOf(first);
  };
}

/** A step's raw result for one value: the step, then its stages. */
function stepResult(step: Step, item: unknown, env: Env): unknown {
  let result = step.fn(item, env);
  for (let i = 0; i < step.stages.length; i++) result = step.stages[i]!(result, env);
  return result;
}

function pushFlat(out: Seq, result: unknown): void {
  if (!Array.isArray(result) || isCons(result)) out.push(result);
  else for (let i = 0; i < result.length; i++) out.push(result[i]);
}

/** evaluateStep over several values: their results flattened, or the only result as it is when it is a last step's array. */
function evaluateStep(step: Step, items: readonly unknown[], env: Env, last: boolean): unknown[] {
  const out = new Seq();
  let count = 0;
  let only: unknown;
  for (let i = 0; i < items.length; i++) {
    const result = stepResult(step, items[i], env);
    if (result === undefined) continue;
    count++;
    if (!last) pushFlat(out, result);
    else if (count === 1) only = result;
    else {
      if (count === 2) pushFlat(out, only);
      pushFlat(out, result);
    }
  }
  if (last && count === 1) {
    if (Array.isArray(only) && !(only instanceof Seq)) return only;
    pushFlat(out, only);
  }
  return out;
}

/**
 * The path's raw result. `single` says the values are one value (`value`) rather than the items of
 * `values`; a single value's step result is passed on as it is, which the next step, the group-by or
 * the final unwrapping read exactly as JSONata reads the sequence it would have built.
 */
function walk(steps: readonly Step[], value: unknown, single: boolean, env: Env): unknown {
  let values = value as unknown[];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const last = i === steps.length - 1;
    if (i === 0 && step.cons) {
      const built = step.fn(single ? seqOf(value) : values, env);
      // A predicate on the constructor can leave one value, which JSONata would then iterate like a string.
      if (!Array.isArray(built)) bail();
      if (built.length === 0) return built;
      [values, single] = [built, false];
      continue;
    }
    if (!single) {
      const result = evaluateStep(step, values, env, last);
      if (last || result.length === 0) return result;
      values = result;
      continue;
    }
    const result = stepResult(step, value, env);
    if (result === undefined) return EMPTY;
    if (last) return result;
    if (!Array.isArray(result)) value = result;
    else if (isCons(result)) value = result;
    else if (result.length === 0) return EMPTY;
    else [values, single] = [result, false];
  }
  return single ? value : values;
}

/** A path's value before JSONata's unwrapping of sequences (the node's finish does that). */
export function pathFunction(steps: readonly Step[], group: Fn | undefined): Fn {
  // JSONata maps a path over an array context, unless the path starts from a $variable.
  const absolute = steps[0]!.variable;
  const run: Fn = (input, env) => walk(steps, input, absolute || !Array.isArray(input), env);
  return group ? (input, env) => group(run(input, env), env) : run;
}
