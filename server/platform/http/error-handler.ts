// The edge where typed errors become responses: problem+json for /api/ (RFC 9457, with per-field `errors`
// for validation), a Chinese error page otherwise, or the form again with its messages when a page handler
// asked for that. Unknown errors are logged with the request id and shown as 500 without detail. A database
// that cannot be reached is a 503 with Retry-After, not a 500: refused up front while it is known to be down
// (databaseGate), or mapped from the driver's connection errors when it went down under a request.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError, Invalid, NotFound, TooMany, Conflict, Unavailable } from '../errors.ts';
import { databaseAvailability, isConnectionError, RETRY_AFTER_SECONDS } from '../db/availability.ts';

export function isApiRequest(req: Request): boolean {
  return req.path.startsWith('/api/');
}

export const notFound: RequestHandler = (_req, _res, next) => next(new NotFound('您访问的页面不存在。'));

const databaseDown = () => new Unavailable('数据库暂时不可用，系统正在自动恢复，请稍后再试。', RETRY_AFTER_SECONDS);

/**
 * Mounted before sessions, bearer tokens and the routes (all of which read the database): while the
 * database is known to be down, answer 503 at once rather than let the request wait for it.
 */
export function databaseGate(): RequestHandler {
  return (_req, _res, next) => next(databaseAvailability.up ? undefined : databaseDown());
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  code?: string;
}

/** Errors from body-parser, csrf-csrf and friends carry a status; map the ones users can cause. */
function fromLibrary(err: unknown): AppError | undefined {
  const e = err as HttpishError & Error;
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (e.type === 'entity.too.large') return new AppError(413, '内容过大', '提交的内容超过了 100 KB 的上限。');
  if (e.type === 'entity.parse.failed') return new AppError(400, '请求有误', '请求正文不是有效的 JSON。');
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported')
    return new AppError(415, '不支持的编码', '请使用 UTF-8 编码提交。');
  if (e.code === 'EBADCSRFTOKEN' || e.message === 'invalid csrf token')
    return new AppError(403, '表单已失效', '表单已过期或来源不明，请刷新页面后重新提交。');
  if (status === 413) return new AppError(413, '内容过大', '上传的内容超过了允许的大小。');
  return new AppError(status, '请求有误', e.expose ? e.message : '请求无法处理。');
}

export function errorHandler(): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const lostDatabase = !(err instanceof AppError) && isConnectionError(err);
    const known = err instanceof AppError ? err : lostDatabase ? databaseDown() : fromLibrary(err);
    const requestId = String(req.id ?? '');
    if (lostDatabase) req.log?.warn({ err }, 'database unavailable');
    if (!known) req.log?.error({ err }, 'unhandled error');
    const error = known ?? new AppError(500, '服务器出错了', '服务器处理请求时出错，我们已记录此问题。');
    if (res.headersSent) return res.end();
    if ((error instanceof TooMany || error instanceof Unavailable) && error.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    res.status(error.status);
    if (isApiRequest(req) || wantsJson(req)) return sendProblem(res, error, requestId, req.originalUrl);
    res.setHeader('Cache-Control', 'no-store');
    res.render('errors/error', {
      title: error.title,
      status: error.status,
      detail: error.detail,
      requestId: error.status >= 500 ? requestId : undefined,
      fields: error instanceof Invalid ? Object.values(error.fields) : undefined,
    });
  };
}

function wantsJson(req: Request): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function sendProblem(res: Response, error: AppError, requestId: string, instance: string): void {
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance: instance.split('?')[0],
    requestId,
  };
  if (error instanceof Invalid || (error instanceof Conflict && error.fields)) {
    body.errors = (error as Invalid).fields;
  }
  // A field that takes codes says which (the form pages keep the friendly message alone): the message ends
  // with "可选值：a, b, …" and `allowed` lists them for programs.
  if (error instanceof Invalid && Object.keys(error.allowed).length) {
    const errors: Record<string, string> = { ...error.fields };
    for (const [field, values] of Object.entries(error.allowed)) {
      if (errors[field] !== undefined) errors[field] = `${errors[field]}可选值：${values.join(', ')}`;
    }
    body.errors = errors;
    body.allowed = error.allowed;
  }
  res.type('application/problem+json').send(JSON.stringify(body));
}
