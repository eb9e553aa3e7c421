// The contact as flat fields (contactName, contactPhone, contactEmail, contactWechat), the way every form and
// every spreadsheet with a contact carries it, and back: the one mapping between them.
import type { Contact } from './model.ts';

/** The flat fields of a contact, as forms post them and spreadsheet columns name them (columns.ts). */
export interface ContactFields {
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  contactWechat: string;
}

/** The nested contact from flat fields (a form's body, an import row's cells); contactInput (schema.ts) checks it. */
export const contactFromFields = <T>(f: { [K in keyof ContactFields]?: T }) => ({
  name: f.contactName,
  phone: f.contactPhone,
  email: f.contactEmail,
  wechat: f.contactWechat,
});

/**
 * The input of a record form with a contact (enterprises, institutions, experts, brokers): the posted fields
 * without the CSRF token, the flat contact fields replaced by the nested object the schema expects.
 */
export function contactFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const { _csrf, contactName, contactPhone, contactEmail, contactWechat, ...rest } = body;
  void _csrf;
  return { ...rest, contact: contactFromFields({ contactName, contactPhone, contactEmail, contactWechat }) };
}

/** The contact as the form's (or an export's) flat fields, blank where it has none. */
export const contactToForm = (c?: Contact): ContactFields => ({
  contactName: c?.name ?? '',
  contactPhone: c?.phone ?? '',
  contactEmail: c?.email ?? '',
  contactWechat: c?.wechat ?? '',
});
