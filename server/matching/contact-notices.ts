// What the requesting enterprise is told when its contact request is answered, whoever answered it: an account
// (contacts.ts) or the recipient of a mailed link (answers.ts).
import { notifyUsers } from '../notifications/service.ts';
import * as mail from '../mail/messages.ts';
import type { ContactRequestDoc } from './model.ts';

export async function announceAnswer(r: ContactRequestDoc, accept: boolean, answer: string | undefined): Promise<void> {
  const id = String(r._id);
  const link = r.target.kind === 'result' ? `/results/${r.target.id}` : `/experts/${r.target.id}`;
  await notifyUsers([r.requester], {
    kind: 'contact.answer',
    title: accept ? `对方已同意对接：${r.target.title}` : `对方暂不对接：${r.target.title}`,
    body: answer ?? (accept ? '现在可以在对方页面看到联系方式。' : ''),
    link,
    key: `contact-request:${id}:answered`,
    mail: mail.contactAnswer({ accepted: accept, title: r.target.title ?? '', answer, link }),
  });
}
