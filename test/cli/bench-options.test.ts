import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../bench/options.js';

// `npm run bench` used to rewrite the tracked bench/results.md and apt-get install nginx on every
// run; both now need a flag.

describe('npm run bench options', () => {
  it('by default neither writes bench/results.md nor installs nginx', () => {
    expect(parseOptions([])).toMatchObject({ writeResults: false, installNginx: false, stallOnly: false });
  });

  it('--write-results, --install-nginx and --stall-only ask for them; unknown flags are refused', () => {
    expect(parseOptions(['--write-results', '--install-nginx', '--stall-only'])).toMatchObject({ writeResults: true, installNginx: true, stallOnly: true });
    expect(() => parseOptions(['--write'])).toThrow(/unknown option --write/);
  });
});
