// The contact columns of every import and export that carries one, in one place.
import type { Contact } from './model.ts';

export const contactColumns = [
  { header: '联系人', field: 'contactName' },
  { header: '联系电话', field: 'contactPhone', aliases: ['手机', '电话'] },
  { header: '联系邮箱', field: 'contactEmail', aliases: ['邮箱'] },
  { header: '微信', field: 'contactWechat', aliases: ['微信号'] },
];

/** The contact object from a row's cells. */
export const contactCells = (c: Record<string, string>) => ({ name: c.contactName, phone: c.contactPhone, email: c.contactEmail, wechat: c.contactWechat });

/** The contact as export cells (empty when the exporter may not see it). */
export const contactRow = (c?: Contact) => [c?.name ?? '', c?.phone ?? '', c?.email ?? '', c?.wechat ?? ''];
