/** Turns a schema failure into one sentence that names the field, for people and for logs. */
import type { z } from 'zod';

export interface Problem {
  field: string | undefined;
  message: string;
}

export function describeZodError(error: z.ZodError, subject: string): Problem {
  const issue = error.issues[0];
  if (!issue) return { field: undefined, message: `${subject} is invalid` };
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  let detail = issue.message;
  if (issue.code === 'unrecognized_keys') {
    detail = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const where = field === undefined ? subject : `${subject}: ${field}`;
  const more =
    error.issues.length > 1
      ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})`
      : '';
  return { field, message: `${where}: ${detail}${more}` };
}
