/**
 * Regular expression literals as arguments of $contains and $replace, matched the way JSONata's regex
 * closure (evaluateRegex) walks a string: from the end of one match to the next, stopping at the end of
 * the string, and failing (D1004) on an empty match after the first.
 */
import { bail } from './bail.ts';

/**
 * A regex literal passed to a function. A distinct class, so that no value read from the input (a RegExp
 * object in a binding, which JSONata treats as an object) is ever taken for one.
 */
export class RegexArgument {
  readonly #regex: RegExp;
  constructor(literal: RegExp) {
    // JSONata's parser adds the "g" flag; the literal is used from one synchronous evaluation at a time.
    this.#regex = new RegExp(literal);
  }

  #exec(text: string, from: number): { start: number; match: string } | undefined {
    this.#regex.lastIndex = from;
    const found = this.#regex.exec(text);
    return found === null ? undefined : { start: found.index, match: found[0] };
  }

  test(text: string): boolean {
    return this.#exec(text, 0) !== undefined;
  }

  /** fn.replace with a regex and a replacement without "$" (substitutions are the interpreter's). */
  replace(text: string, replacement: string): string {
    let found = this.#exec(text, 0);
    if (!found) return text;
    let out = '';
    let position = 0;
    while (found) {
      out += text.substring(position, found.start) + replacement;
      position = found.start + found.match.length;
      if (this.#regex.lastIndex >= text.length) break;
      found = this.#exec(text, this.#regex.lastIndex);
      if (found && found.match === '') bail();
    }
    return out + text.substring(position);
  }
}
