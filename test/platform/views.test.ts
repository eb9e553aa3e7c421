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
