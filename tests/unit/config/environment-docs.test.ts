import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../../../src/app/environment.ts';

const root = join(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('environment documentation', () => {
  it('lists every variable Baton reads in .env.example and the README', () => {
    const variables = ENVIRONMENT_VARIABLES;
    expect(variables.length).toBeGreaterThan(10);
    const example = read('.env.example');
    const readme = read('README.md');
    for (const variable of variables) {
      expect(example, `.env.example should list ${variable}`).toMatch(new RegExp(`^${variable}=`, 'm'));
      expect(readme, `README.md should document ${variable}`).toContain(variable);
    }
  });
});
