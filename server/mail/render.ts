// Renders a mail from its kind's template (views/mail/messages/<template>.hbs): the same template gives the plain
// text (no escaping) and the HTML (everything escaped, paragraphs from blank lines). A template's first line is
// the subject, then a blank line, then the body; `{{button "文字"}}` places the mail's one link, `{{greeting}}`
// the salutation. Subjects and names become header values only after cleanHeader (no CR/LF, no controls).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { viewsRoot } from '../platform/views/engine.ts';
import { MAIL_CATEGORIES, MAIL_KINDS, type MailKind } from './messages.ts';

const dir = path.join(viewsRoot, 'mail', 'messages');

export interface RenderContext {
  /** BASE_URL, without a trailing slash */
  baseUrl: string;
  recipientName?: string | undefined;
  /** the absolute unsubscribe link of a notification mail */
  unsubscribeUrl?: string | undefined;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** the absolute link the mail carries */
  url: string;
}

type Data = Record<string, unknown>;
type HelperOptions = { data: { root: Data } };

/** One header value: control characters (CR, LF, NUL, tabs …) and line/paragraph separators become spaces. */
export function cleanHeader(value: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A path on this site made absolute with BASE_URL; anything else (another host, a scheme) becomes the home page. */
export function absoluteLink(baseUrl: string, link: unknown): string {
  if (typeof link === 'string' && /^\/(?![/\\])[^\s]*$/.test(link)) return `${baseUrl}${link}`;
  if (typeof link === 'string' && (link === baseUrl || link.startsWith(`${baseUrl}/`)) && !/\s/.test(link)) return link;
  return `${baseUrl}/`;
}

function environment(mode: 'text' | 'html'): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('greeting', (options: HelperOptions) => {
    const name = options.data.root.recipientName;
    return typeof name === 'string' && name ? `${cleanHeader(name, 60)}，您好：` : '您好：';
  });
  hb.registerHelper('button', (label: string, options: HelperOptions) => {
    const url = String(options.data.root.url);
    if (mode === 'text') return `${label}：${url}`;
    const href = hb.escapeExpression(url);
    return new hb.SafeString(
      `<a href="${href}" style="display:inline-block;padding:8px 18px;background:#1d6fd8;color:#ffffff;border-radius:4px;text-decoration:none">${hb.escapeExpression(label)}</a>` +
        `<br><small style="color:#6b7280;word-break:break-all">${href}</small>`,
    );
  });
  // `{{linkTo title link}}`: a further link in the body (a digest's records), a path made absolute like `link`.
  hb.registerHelper('linkTo', (label: unknown, link: unknown, options: HelperOptions) => {
    const url = absoluteLink(String(options.data.root.baseUrl), link);
    const text = cleanHeader(String(label ?? ''), 200);
    if (mode === 'text') return `${text}  ${url}`;
    return new hb.SafeString(`<a href="${hb.escapeExpression(url)}" style="color:#1d6fd8">${hb.escapeExpression(text)}</a>`);
  });
  return hb;
}

const envs = { text: environment('text'), html: environment('html') };
type Compiled = { subject: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate };
const cache = new Map<string, Compiled>();

/**
 * The template's first line compiles to the subject, the rest (after the blank line) to the body, so text a user
 * typed (line breaks included) can never move the boundary between the two.
 */
function compiled(template: string): Compiled {
  let c = cache.get(template);
  if (!c) {
    const source = readFileSync(path.join(dir, `${template}.hbs`), 'utf8').replace(/\r\n?/g, '\n');
    const nl = source.indexOf('\n');
    const head = nl < 0 ? source : source.slice(0, nl);
    const body = nl < 0 ? '' : source.slice(nl + 1).replace(/^\n+/, '');
    c = {
      subject: envs.text.compile(head, { noEscape: true }),
      text: envs.text.compile(body, { noEscape: true }),
      html: envs.html.compile(body),
    };
    cache.set(template, c);
  }
  return c;
}

/** The text and HTML layouts around every mail (the footer, the unsubscribe link). */
const layouts = {
  text: envs.text.compile(readFileSync(path.join(dir, '_layout.text.hbs'), 'utf8'), { noEscape: true }),
  html: envs.html.compile(readFileSync(path.join(dir, '_layout.html.hbs'), 'utf8')),
};

const tidy = (rendered: string) =>
  rendered
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

function paragraphs(escapedBody: string): string {
  return escapedBody
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 14px">${p.split('\n').join('<br>')}</p>`)
    .join('\n');
}

export function renderMail(kind: MailKind, data: Data, ctx: RenderContext): RenderedMail {
  const spec = MAIL_KINDS[kind];
  const url = absoluteLink(ctx.baseUrl, data.link);
  const category = MAIL_CATEGORIES[spec.category];
  const root = { ...data, url, recipientName: ctx.recipientName, baseUrl: ctx.baseUrl };
  const t = compiled(spec.template);
  const subject = cleanHeader(t.subject(root), 150) || '东宝科技对接平台通知';
  const layout = { subject, unsubscribeUrl: ctx.unsubscribeUrl, categoryLabel: category.label };
  return {
    subject,
    text: `${tidy(layouts.text({ ...layout, body: tidy(t.text(root)) }))}\n`,
    html: layouts.html({ ...layout, body: paragraphs(tidy(t.html(root))) }),
    url,
  };
}
