// An expert's answer to a visit or a roadshow slot planned for them, as pages and the API show it (itinerary.ts).
export type ReplyStatus = 'confirmed' | 'declined';

export interface Reply {
  status: ReplyStatus;
  label: string;
  reason?: string | undefined;
  at: Date;
}

const REPLY_LABELS: Record<ReplyStatus, string> = { confirmed: '已确认', declined: '已婉拒' };

export function replyView(r: { status: string; reason?: string | null; at: Date } | null | undefined): Reply | undefined {
  if (!r) return undefined;
  return { status: r.status as ReplyStatus, label: REPLY_LABELS[r.status as ReplyStatus], reason: r.reason ?? undefined, at: r.at };
}
