// Templates are compiled once and kept, except while developing: `npm run dev` sets RELOAD_VIEWS, read through the
// validated config (not process.env), so template edits show without a restart.
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { loadConfig } from '../../server/platform/config.ts';

const kept = buildTestApp();
const reloading = buildTestApp({ env: { RELOAD_VIEWS: 'true' } });

describe('template reloading', () => {
  it('when RELOAD_VIEWS is set, then templates are read again on every render; otherwise they are kept', () => {
    expect(kept.app.get('view cache')).toBe(true);
    expect(reloading.app.get('view cache')).toBe(false);
  });

  it('when RELOAD_VIEWS is not a boolean, then the configuration names it', () => {
    expect(() => loadConfig({ RELOAD_VIEWS: 'maybe' })).toThrow(/RELOAD_VIEWS/);
  });
});
