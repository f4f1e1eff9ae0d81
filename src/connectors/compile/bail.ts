/**
 * The two ways out of compiled code. A shape the compiler does not cover is found once, at load time
 * (Unsupported: the expression keeps JSONata's interpreter for good); a value the compiled code would not
 * treat exactly as JSONata does is found per evaluation (Bailout: that one evaluation goes to the
 * interpreter, which then gives JSONata's own answer or error).
 */

/** Thrown while compiling: some node is outside the compiled subset. */
export class Unsupported extends Error {
  override readonly name = 'Unsupported';
}

export function unsupported(why: string): never {
  throw new Unsupported(why);
}

/**
 * Thrown while evaluating. One instance made at load time: a bail-out is part of normal operation (an
 * array where a string was expected, a value JSONata would reject), so it must not pay for a stack trace.
 */
export class Bailout extends Error {
  override readonly name = 'Bailout';
}

export const BAILOUT = new Bailout('the compiled expression handed this evaluation to the interpreter');

export function bail(): never {
  throw BAILOUT;
}
