// A template that writes {{name}} where `name` is also a helper calls the helper instead of reading the
// value (a blank label, a blank patent number). Reading them needs {{this.name}}.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as platformHelpers from '../../server/platform/views/helpers/index.ts';
import { viewsRoot } from '../../server/platform/views/engine.ts';

const appHelpers = ['labelOf', 'options']; // registered in app.ts
const helperNames = [...Object.keys(platformHelpers), ...appHelpers];

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const full = path.join(dir, f);
    return statSync(full).isDirectory() ? templates(full) : full.endsWith('.hbs') ? [full] : [];
  });
}

describe('templates', () => {
  it('when a value shares its name with a helper, then templates read it with this.', () => {
    const offenders: string[] = [];
    for (const file of templates(viewsRoot)) {
      const text = readFileSync(file, 'utf8');
      for (const name of helperNames) {
        if (new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`).test(text)) offenders.push(`${path.relative(viewsRoot, file)}: {{${name}}}`);
      }
    }
    expect(helperNames.length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});

describe('helpers', () => {
  const { highlight, date, datetime } = platformHelpers;

  it('when terms are marked, then the longest term wins, text is escaped, and one terms array serves every text', () => {
    const terms = ['石膏', '磷石膏', '<b>'];
    expect(String(highlight('磷石膏综合利用，石膏板 <b>粗体</b>', terms))).toBe('<mark>磷石膏</mark>综合利用，<mark>石膏</mark>板 <mark>&lt;b&gt;</mark>粗体&lt;/b&gt;');
    // the same array again (its pattern is kept): a second text is marked on its own, from its start
    expect(String(highlight('石膏与磷石膏', terms))).toBe('<mark>石膏</mark>与<mark>磷石膏</mark>');
    expect(String(highlight('Gypsum GYPSUM', ['gypsum']))).toBe('<mark>Gypsum</mark> <mark>GYPSUM</mark>');
    expect(String(highlight('a.b', ['.']))).toBe('a<mark>.</mark>b');
    expect(String(highlight('<i>', []))).toBe('&lt;i&gt;');
    expect(String(highlight('<i>', undefined))).toBe('&lt;i&gt;');
  });

  it('when an instant is shown, then it is the Beijing day and time, the same on every call whatever the format asked before', () => {
    const instant = new Date('2022-12-31T16:30:00Z');
    expect(date(instant)).toBe('2023-01-01');
    expect(datetime(instant)).toBe('2023-01-01 00:30');
    expect(date(instant, 'yyyy年M月d日')).toBe('2023年1月1日');
    expect(date(instant)).toBe('2023-01-01');
    expect(date(instant.toISOString())).toBe('2023-01-01');
    expect(date(instant.getTime())).toBe('2023-01-01');
    expect(date('not a date')).toBe('');
    expect(date(null)).toBe('');
  });
});
