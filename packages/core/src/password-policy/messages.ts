/** Messages (fixed text + limit only: the password never reaches a message) and the violation shape. */
import type { PolicyRuleCode, PolicyViolation } from './types';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const MESSAGES = {
  notString: 'Password must be a string.',
  tooShort: (n: number) => `Password must be at least ${plural(n, 'character')}.`,
  tooLong: (n: number) => `Password must be at most ${plural(n, 'character')}.`,
  tooFewDistinct: (n: number) => `Password must contain at least ${plural(n, 'different character')}.`,
  edgeWhitespace: 'Password must not start or end with whitespace.',
  onlySequential: 'Password must not consist only of consecutive letters or digits.',
  onlyKeyboardRun: 'Password must not consist only of adjacent keys from one keyboard row.',
  common: 'Password is too common or too easy to guess.',
  contextWord: 'Password must not be based on your login, e-mail address, name or the service name.',
} as const;

export function violation(code: PolicyRuleCode, message: string): PolicyViolation {
  return { code, message };
}
