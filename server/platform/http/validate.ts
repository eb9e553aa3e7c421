// One way to validate input everywhere: a zod schema parses it, and any problem becomes Invalid with a
// message per field (dot paths, e.g. "slots.2.minutes"), shown next to the field on forms and in
// problem+json `errors` on the API.
import { z } from 'zod';
import { Invalid, type FieldErrors } from '../errors.ts';

z.config(z.locales.zhCN());

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '_';
    out[key] ??= issue.message;
  }
  return out;
}

/**
 * The codes a field accepts, for each field whose reported problem is a value outside a list: a z.enum
 * (`invalid_value`) or a custom issue that names them in `params.allowed` (codeList in fields.ts).
 */
export function allowedValues(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const seen = new Set<string>();
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '_';
    if (seen.has(key)) continue; // the first issue of a field is the one reported (fieldErrors)
    seen.add(key);
    const values = issue.code === 'invalid_value' ? issue.values : issue.code === 'custom' ? (issue.params as { allowed?: unknown } | undefined)?.allowed : undefined;
    if (Array.isArray(values) && values.length && values.every((v) => typeof v === 'string')) out[key] = values as string[];
  }
  return out;
}

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new Invalid(fieldErrors(result.error), undefined, allowedValues(result.error));
  return result.data;
}
