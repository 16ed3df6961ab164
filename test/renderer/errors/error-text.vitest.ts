import { describe, expect, it } from 'vitest';
import { ERROR_TITLES } from '../../../src/renderer/errors/error-text.ts';

describe('error titles', () => {
  it('gives every error its own heading', () => {
    const titles = Object.values(ERROR_TITLES);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('names each way the helper can refuse or fail, and only the strict refusal mentions strict mode', () => {
    expect(ERROR_TITLES.sandbox_failed).toBe('Capture refused: the sandbox could not be set up');
    expect(ERROR_TITLES.privilege_drop_failed).toBe('Capture refused: the helper could not give up root');
    expect(ERROR_TITLES.capture_failed).toBe('Capture stopped');
    expect(ERROR_TITLES.helper_internal).toBe('Capture helper error');
    for (const [code, title] of Object.entries(ERROR_TITLES)) {
      if (code === 'sandbox_strict') expect(title).toMatch(/strict mode/);
      else expect(title, code).not.toMatch(/strict/i);
    }
  });
});
