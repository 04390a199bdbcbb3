// Adds location ids to a config file's scope.locations, editing only that value so comments and layout stay.
import { readFileSync, writeFileSync } from 'node:fs';
import { applyEdits, modify, type ParseError, parse } from 'jsonc-parser';
import { ConfigError } from '../errors.js';
import { parseConfig } from './load.js';

export interface ScopeEdit {
  /** scope.locations after the edit. */
  locations: number[];
  /** The ids that were not there before. */
  added: number[];
  /** Discovery filters (countries, bbox, …) the scope had: with ids present they no longer apply. */
  overridden: string[];
}

const DISCOVERY_KEYS = ['countries', 'bbox', 'coordinates', 'parameters'];

export function addScopeLocations(file: string, ids: readonly number[]): ScopeEdit {
  const text = readFileSync(file, 'utf8');
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true }) as
    | { scope?: Record<string, unknown> }
    | undefined;
  if (errors.length > 0 || typeof value !== 'object' || value === null)
    throw new ConfigError('', 'not a valid JSON object; fix it before adding locations', file);
  const before = Array.isArray(value.scope?.locations) ? (value.scope.locations as number[]) : [];
  const added = [...new Set(ids)].filter((id) => !before.includes(id));
  const locations = [...before, ...added];
  const overridden = before.length === 0 ? DISCOVERY_KEYS.filter((k) => value.scope?.[k] !== undefined) : [];
  if (added.length === 0) return { locations, added, overridden: [] };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edits = modify(text, ['scope', 'locations'], locations, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol },
  });
  const next = applyEdits(text, edits);
  // The edited file must still be a valid configuration before it replaces the old one.
  parseConfig(parse(next, [], { allowTrailingComma: true }), file);
  writeFileSync(file, next);
  return { locations, added, overridden };
}
