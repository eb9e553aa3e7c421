// File uploads (docs/security.md 17): one file, in memory, at most 5 MB, never written under the web root.
// Page forms are multipart, so their CSRF token is checked here, after multer has parsed the body.
import type { RequestHandler } from 'express';
import multer from 'multer';
import { AppError, BadRequest } from '../errors.ts';
import type { Csrf } from '../auth/csrf.ts';
import { MAX_UPLOAD_BYTES } from '../io/tabular.ts';

const parser = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20, fieldSize: 10_000 } });

function single(field: string): RequestHandler {
  const handle = parser.single(field);
  return (req, res, next) =>
    handle(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return next(new AppError(413, '文件过大', '文件超过 5 MB，请拆分后上传。'));
        return next(new BadRequest(`上传有误：${err.message}`));
      }
      next(err);
    });
}

/** For page forms: the file, then the CSRF check on the parsed fields. */
export const pageUpload = (field: string): RequestHandler[] => [single(field), (req, res, next) => (req.app.locals.csrf as Csrf).verify(req, res, next)];

/** For the bearer-token API (no cookies, no CSRF). */
export const apiUpload = (field: string): RequestHandler => single(field);
