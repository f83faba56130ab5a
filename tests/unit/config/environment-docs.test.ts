import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('environment documentation', () => {
  it('lists every variable Baton reads in .env.example and the README', () => {
    const source = read('src/app/environment.ts');
    const variables = [
      ...new Set([...source.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((match) => match[1] ?? '')),
    ];
    expect(variables.length).toBeGreaterThan(10);
    const example = read('.env.example');
    const readme = read('README.md');
    for (const variable of variables) {
      expect(example, `.env.example should list ${variable}`).toMatch(new RegExp(`^${variable}=`, 'm'));
      expect(readme, `README.md should document ${variable}`).toContain(variable);
    }
  });
});
