// The contact columns of every import and export that carries one, in one place.
import type { Contact } from './model.ts';
import { contactToForm, type ContactFields } from './form.ts';

export const contactColumns = [
  { header: '联系人', field: 'contactName' },
  { header: '联系电话', field: 'contactPhone', aliases: ['手机', '电话'] },
  { header: '联系邮箱', field: 'contactEmail', aliases: ['邮箱'] },
  { header: '微信', field: 'contactWechat', aliases: ['微信号'] },
] satisfies { header: string; field: keyof ContactFields; aliases?: string[] }[];

/** The contact as export cells, in the columns' order (empty when the exporter may not see it). */
export function contactRow(c?: Contact): string[] {
  const fields = contactToForm(c);
  return contactColumns.map((col) => fields[col.field]);
}
