/** What compiled expressions are made of: functions of the context value and the evaluation's state. */

/** One evaluation's state: the caller's bindings, the input document (`$$`) and the block variables. */
export interface Env {
  readonly bindings: Record<string, unknown>;
  readonly root: unknown;
  /** Every `:=` and lambda parameter has a slot, fixed at compile time. */
  readonly slots: unknown[];
}

/** A node evaluated against a context value, as JSONata's evaluate() would (predicates applied, sequences unwrapped). */
export type Fn = (input: unknown, env: Env) => unknown;

export interface Compiled {
  readonly fn: Fn;
  /**
   * True when an object or array the node returns is built by this evaluation and held nowhere else (an
   * object constructor's), so it can be stored or returned as it is; false when it may be data read from
   * the input or a binding, which is copied first.
   */
  readonly built: boolean;
}
