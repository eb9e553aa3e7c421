// The platform's Handlebars helpers, one per file. Domain helpers (labels of vocabulary codes) are added by
// app.ts, which knows the vocabulary.
export { add } from './add.ts';
export { and } from './and.ts';
export { date } from './date.ts';
export { datetime } from './datetime.ts';
export { eq } from './eq.ts';
export { highlight } from './highlight.ts';
export { includes } from './includes.ts';
export { join } from './join.ts';
export { not } from './not.ts';
export { number } from './number.ts';
export { or } from './or.ts';
export { percent } from './percent.ts';
export { safeUrl } from './safe-url.ts';
export { truncate } from './truncate.ts';
export { urlWith } from './url-with.ts';
export { wan } from './wan.ts';
