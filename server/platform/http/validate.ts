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

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new Invalid(fieldErrors(result.error));
  return result.data;
}
