import { describe, expect, it } from 'vitest';
import { hasNextPage, PAGE_LIMIT } from './paging.js';

describe('hasNextPage', () => {
  it('asks for the largest page the API allows', () => {
    expect(PAGE_LIMIT).toBe(1000);
  });

  it('continues after a full page and stops on a short one', () => {
    expect(hasNextPage(1000, 1000)).toBe(true);
    expect(hasNextPage(999, 1000)).toBe(false);
    expect(hasNextPage(0, 1000)).toBe(false);
    expect(hasNextPage(5, 5)).toBe(true);
  });

  it('never loops on a zero limit', () => {
    expect(hasNextPage(0, 0)).toBe(false);
  });
});
