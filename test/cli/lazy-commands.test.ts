import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { REPO } from '../support/paths.js';

// docs/architecture.md, "Start-up": a command's module (and what it imports) is evaluated only
// when argv names the command; --help, a mistyped name and the other commands evaluate none.
const COMMANDS_DIR = join(REPO, 'src', 'cli', 'commands');
const COMMANDS = readdirSync(COMMANDS_DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -'.ts'.length));

const loaded = new Set<string>();

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const { main } = await import('../../src/cli/main.js');
  let out = '';
  const code = await main(['node', 'vouch', ...args], {
    out: (text) => {
      out += text;
    },
    err: () => {},
    env: {},
  });
  return { code, out };
}

describe('loading command modules', () => {
  // Each case starts from no module loaded, every command module watched.
  beforeEach(() => {
    vi.resetModules();
    loaded.clear();
    for (const name of COMMANDS) {
      vi.doMock(join(COMMANDS_DIR, `${name}.js`), async (importOriginal) => {
        loaded.add(name);
        return importOriginal();
      });
    }
  });

  it('finds the command modules to watch', () => {
    expect(COMMANDS).toContain('verify');
    expect(COMMANDS).toContain('serve');
  });

  it('--help lists every command, from main.ts alone', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    for (const name of COMMANDS) expect(out).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect([...loaded]).toEqual([]);
  });

  it('--version and a mistyped command load no command', async () => {
    expect((await run('--version')).code).toBe(0);
    expect((await run('verfy')).code).toBe(2);
    expect([...loaded]).toEqual([]);
  });

  it.each([[['verify', '--help']], [['help', 'verify']], [['--debug', 'verify', '--help']]])(
    '%j loads the verify command only',
    async (args) => {
      const { code, out } = await run(...args);
      expect(code).toBe(0);
      expect(out).toContain('--attestations <path...>');
      expect([...loaded]).toEqual(['verify']);
    },
  );
});
