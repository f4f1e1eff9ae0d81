/**
 * The checks in the order they run. The order is Entra's: credentials and Test Connection first, users
 * before the groups they join, deletes last, and the content-type verdict over every answer at the end.
 */
import type { Check } from './check.ts';
import { groupChecks } from './checks-groups.ts';
import { contentTypeCheck, serviceChecks } from './checks-service.ts';
import { userChecks, userDeleteCheck } from './checks-users.ts';

export const CHECKS: readonly Check[] = [
  ...serviceChecks,
  ...userChecks,
  ...groupChecks,
  userDeleteCheck,
  contentTypeCheck,
];
