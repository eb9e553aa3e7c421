// Every mail the platform sends, one builder per kind: what it carries, which template renders it
// (views/mail/messages/<template>.hbs) and which preference category it belongs to. Services build a mail here and
// hand it to enqueueMail (service.ts) or to notifyUsers (notifications/service.ts, `mail`).
//
// Data holds plain values only (strings, numbers, booleans, and lists of objects of such values), stored in the
// outbox as they are and rendered when the mail is sent; `link` is a path on this site ("/contact-requests"),
// made absolute with BASE_URL.

/** Preference categories: users turn optional ones off on /account or by a mail's unsubscribe link. */
export const MAIL_CATEGORIES = {
  contact: { label: '对接申请与答复', description: '有企业申请与您对接，或对方答复了您的申请', optional: true, organizerOnly: false },
  roadshow: { label: '路演报名与候补', description: '本企业报名路演成功，或候补转为正式名额', optional: true, organizerOnly: false },
  review: { label: '待审核的注册与加入申请', description: '有高校院所或技术经纪人注册，或有人申请加入已登记的单位，等待区科技局审核', optional: true, organizerOnly: true },
  matching: { label: '需求响应与匹配提醒', description: '有高校院所或专家响应您的需求；新的成果或专家与您的需求高度匹配（每天最多一封汇总）', optional: true, organizerOnly: false },
  search: { label: '已保存搜索的新内容', description: '您保存的搜索有新发布的匹配内容（按您选择的每天或每周汇总一封）', optional: true, organizerOnly: false },
  account: { label: '账户与安全', description: '注册审核结果等账户通知，不能关闭', optional: false, organizerOnly: false },
} as const;
export type MailCategory = keyof typeof MAIL_CATEGORIES;

interface Link {
  /** a path on this site, e.g. `/contact-requests` */
  link: string;
}

export interface MailData {
  'contact.request': Link & { enterpriseName: string; title: string; targetKind: 'result' | 'expert'; message?: string | undefined };
  'contact.answer': Link & { accepted: boolean; title: string; answer?: string | undefined };
  'contact.answer-link': Link & { enterpriseName: string; title: string; targetKind: 'result' | 'expert'; message?: string | undefined; expiresOn: string };
  'contact.unreachable': Link & { enterpriseName: string; title: string; counterpartName: string };
  'contact.forwarded': Link & { enterpriseName: string; title: string; targetKind: 'result' | 'expert'; counterpartName: string; message?: string | undefined; expiresOn: string };
  'contact.escalated': Link & { enterpriseName: string; title: string; askedOn: string; holderLabel: string };
  'account.pending': Link & { name: string; email: string; roleLabel: string };
  'account.approved': Link & { name: string };
  'account.rejected': Link & { name: string };
  'account.invitation': Link & { recordName: string; kindLabel: string; invitedByName: string; expiresOn: string };
  'account.password-reset': Link & { minutes: number; expiresAt: string };
  'claim.pending': Link & { name: string; email: string; recordName: string; kindLabel: string; entered: string };
  'claim.decided': Link & { approved: boolean; recordName: string; kindLabel: string; reason?: string | undefined };
  'roadshow.registered': Link & { title: string; when: string; venue: string; code: string; enterpriseName: string; waitlisted: boolean; position?: number | undefined };
  'roadshow.promoted': Link & { title: string; when: string; venue: string; code: string; enterpriseName: string };
  'demand.response': Link & { responderName: string; demandTitle: string; jiebang: boolean; results: string; message: string; edited: boolean };
  'match.digest': Link & { day: string; count: number; lines: string };
  /** items: plain objects, each rendered with its own link (`{{linkTo title link}}`, render.ts) */
  'search.digest': Link & { name: string; since: string; count: number; items: { kindLabel: string; title: string; link: string }[]; more: number; searchLink: string };
}
export type MailKind = keyof MailData;

/** Per kind: its template (views/mail/messages/<template>.hbs) and category. */
export const MAIL_KINDS: Record<MailKind, { template: string; category: MailCategory }> = {
  'contact.request': { template: 'contact-request', category: 'contact' },
  'contact.answer': { template: 'contact-answer', category: 'contact' },
  'contact.answer-link': { template: 'contact-answer-link', category: 'contact' },
  'contact.unreachable': { template: 'contact-unreachable', category: 'contact' },
  'contact.forwarded': { template: 'contact-forwarded', category: 'contact' },
  'contact.escalated': { template: 'contact-escalated', category: 'contact' },
  'account.pending': { template: 'account-pending', category: 'review' },
  'account.approved': { template: 'account-approved', category: 'account' },
  'account.rejected': { template: 'account-rejected', category: 'account' },
  'account.invitation': { template: 'account-invitation', category: 'account' },
  'account.password-reset': { template: 'password-reset', category: 'account' },
  'claim.pending': { template: 'claim-pending', category: 'review' },
  'claim.decided': { template: 'claim-decided', category: 'account' },
  'roadshow.registered': { template: 'roadshow-registered', category: 'roadshow' },
  'roadshow.promoted': { template: 'roadshow-promoted', category: 'roadshow' },
  'demand.response': { template: 'demand-response', category: 'matching' },
  'match.digest': { template: 'match-digest', category: 'matching' },
  'search.digest': { template: 'saved-search-digest', category: 'search' },
};

/** A mail's content before it has a recipient: what `enqueueMail` and `notifyUsers({ mail })` take. */
export type MailContent = { [K in MailKind]: { kind: K; data: MailData[K] } }[MailKind];

export const isMailKind = (kind: string): kind is MailKind => Object.hasOwn(MAIL_KINDS, kind);
export const categoryOf = (kind: MailKind): MailCategory => MAIL_KINDS[kind].category;
export const isOptional = (kind: MailKind): boolean => MAIL_CATEGORIES[categoryOf(kind)].optional;

// ---- the builders, one per kind -------------------------------------------------------------------------------

/** To the institution, expert or broker asked: an enterprise wants to get in touch (matching/contacts.ts). */
export const contactRequest = (data: MailData['contact.request']): MailContent => ({ kind: 'contact.request', data });

/** To the enterprise that asked: the other side accepted or declined (matching/contacts.ts). */
export const contactAnswer = (data: MailData['contact.answer']): MailContent => ({ kind: 'contact.answer', data });

/**
 * To the contact address of a record without an active account: an enterprise wants to get in touch; the link
 * (`/answer/<token>`, matching/answers.ts) lets the recipient answer without signing in.
 */
export const contactAnswerLink = (data: MailData['contact.answer-link']): MailContent => ({ kind: 'contact.answer-link', data });

/** To the organizers: a request reached a record with neither an account nor a contact address (matching/answers.ts). */
export const contactUnreachable = (data: MailData['contact.unreachable']): MailContent => ({ kind: 'contact.unreachable', data });

/**
 * To an address an organizer forwarded a request to (matching/contact-queue.ts): the bureau asks the recipient to
 * answer for the record, through a fresh answer link.
 */
export const contactForwarded = (data: MailData['contact.forwarded']): MailContent => ({ kind: 'contact.forwarded', data });

/** To the organizers: a request is still unanswered after 7 days (matching/contact-queue.ts). */
export const contactEscalated = (data: MailData['contact.escalated']): MailContent => ({ kind: 'contact.escalated', data });

/** To the organizers: a registration waits for approval (accounts/service.ts). */
export const accountPending = (data: MailData['account.pending']): MailContent => ({ kind: 'account.pending', data });

/** To the applicant: the registration was approved, or rejected (accounts/service.ts). */
export const accountReviewed = (approved: boolean, data: { name: string }): MailContent =>
  approved ? { kind: 'account.approved', data: { ...data, link: '/account' } } : { kind: 'account.rejected', data: { ...data, link: '/' } };

/** To a person invited to speak for an existing record; the link sets their password (memberships/invitations.ts). */
export const accountInvitation = (data: MailData['account.invitation']): MailContent => ({ kind: 'account.invitation', data });

/** To an account's own address: a single-use link to set a new password (accounts/password-reset.ts). */
export const passwordReset = (data: MailData['account.password-reset']): MailContent => ({ kind: 'account.password-reset', data });

/** To the organizers: someone asks to join an enterprise or institution that is already listed (memberships/claims.ts). */
export const claimPending = (data: MailData['claim.pending']): MailContent => ({ kind: 'claim.pending', data });

/** To the applicant: the claim was approved or rejected (memberships/claims.ts). */
export const claimDecided = (data: MailData['claim.decided']): MailContent => ({ kind: 'claim.decided', data });

/** To the enterprise's users: registered for a roadshow, with a seat or on the waitlist (campaigns/registration-service.ts). */
export const roadshowRegistered = (data: MailData['roadshow.registered']): MailContent => ({ kind: 'roadshow.registered', data });

/** To the enterprise's users: moved up from the waitlist to a seat (campaigns/roadshow-service.ts). */
export const roadshowPromoted = (data: MailData['roadshow.promoted']): MailContent => ({ kind: 'roadshow.promoted', data });

/** To the enterprise's users and the need's broker: an institution or expert responded to the need (matching/responses.ts). */
export const demandResponse = (data: MailData['demand.response']): MailContent => ({ kind: 'demand.response', data });

/** To a need's owner or broker: the strong matches announced to them in one day, once the day is over (matching/alerts.ts). */
export const matchDigest = (data: MailData['match.digest']): MailContent => ({ kind: 'match.digest', data });

/** To a user: records new since the last digest that match a search they saved (saved-searches/digest.ts). */
export const savedSearchDigest = (data: MailData['search.digest']): MailContent => ({ kind: 'search.digest', data });
