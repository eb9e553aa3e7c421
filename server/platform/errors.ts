// Typed errors thrown by services. The edge handler (http/error-handler.ts) turns them into an HTML page or
// application/problem+json; services never see req/res.
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail?: string,
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
  get detail(): string {
    return this.message;
  }
}

export class Invalid extends AppError {
  constructor(
    readonly fields: FieldErrors,
    detail = '提交的内容有误，请检查标出的字段。',
    /** for a field that takes one of a list of codes: the codes (problem+json names them; forms keep the message) */
    readonly allowed: Record<string, readonly string[]> = {},
  ) {
    super(400, '输入有误', detail);
  }
}

export class BadRequest extends AppError {
  constructor(detail: string) {
    super(400, '请求有误', detail);
  }
}

export class Unauthorized extends AppError {
  constructor(detail = '请先登录。') {
    super(401, '需要登录', detail);
  }
}

export class Forbidden extends AppError {
  constructor(detail = '您没有权限执行此操作。') {
    super(403, '无权访问', detail);
  }
}

export class NotFound extends AppError {
  constructor(detail = '您要找的内容不存在或已被删除。') {
    super(404, '未找到', detail);
  }
}

/** A link that worked once and no longer does: used or expired. */
export class Gone extends AppError {
  constructor(detail: string) {
    super(410, '链接已失效', detail);
  }
}

export class Conflict extends AppError {
  constructor(detail: string, readonly fields?: FieldErrors) {
    super(409, '冲突', detail);
  }
}

export class TooMany extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    detail = '尝试次数过多，请稍后再试。',
  ) {
    super(429, '请求过于频繁', detail);
  }
}

export class Unavailable extends AppError {
  constructor(
    detail = '服务暂时不可用，请稍后再试。',
    /** sent as Retry-After when set */
    readonly retryAfterSeconds?: number,
  ) {
    super(503, '服务不可用', detail);
  }
}
