import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { STARTER_CONFIG } from '../cli/init.js';
import { ConfigError } from '../errors.js';
import { loadConfig } from './load.js';

function withFile(text: string): string {
  const dir = tempDir('aqlake-config-');
  writeFileSync(join(dir, 'aqlake.config.json'), text);
  return dir;
}

describe('loadConfig', () => {
  it('accepts the commented starter config that `aqlake init` writes', () => {
    const cwd = withFile(STARTER_CONFIG);
    const config = loadConfig({ cwd, env: {} });
    expect(config.scope.locations).toEqual([2178]);
    expect(config.api.rateLimit).toEqual({ perMinute: 60, perHour: 2000 });
    expect(config.home).toBe(join(cwd, 'lake'));
  });

  it('lets OPENAQ_API_KEY, OPENAQ_API_URL and AQLAKE_HOME override the file', () => {
    const cwd = withFile('{"api": {"url": "https://example.org/v3"}, "home": "./x"}');
    const config = loadConfig({
      cwd,
      env: { OPENAQ_API_KEY: 'k-123', OPENAQ_API_URL: 'http://127.0.0.1:9/v3', AQLAKE_HOME: '/tmp/lakehome' },
    });
    expect(config.api.key).toBe('k-123');
    expect(config.api.url).toBe('http://127.0.0.1:9/v3');
    expect(config.home).toBe('/tmp/lakehome');
  });

  it('names the field and the problem in one line for a bad value', () => {
    const cwd = withFile('{"scope": {"locations": [1, "two"]}}');
    const err = (() => {
      try {
        loadConfig({ cwd, env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('scope.locations[1]');
    expect((err as ConfigError).message).toMatch(/scope\.locations\[1\]: .*number/);
    expect((err as ConfigError).message).not.toContain('\n');
  });

  it('rejects bbox together with coordinates', () => {
    const cwd = withFile(
      '{"scope": {"bbox": [-80, 43, -79, 44], "coordinates": {"latitude": 43.6, "longitude": -79.4, "radiusMeters": 1000}}}',
    );
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/scope\.bbox: use either bbox or coordinates/);
  });

  it('reports malformed JSON with the file name', () => {
    const cwd = withFile('{"scope": ');
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/aqlake\.config\.json: not valid JSON/);
  });
});

describe('loadConfig strictness', () => {
  it('rejects a misspelled key instead of ignoring it', () => {
    const cwd = withFile('{"lookbackDay": 3}');
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/aqlake\.config\.json: .*lookbackDay/);
  });
});
