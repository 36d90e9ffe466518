import { setImmediate as nextImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { VerificationTurns } from '../../src/server/verification-turns.js';

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy: the CPU-bound work a signature check is.
  }
};

describe('when verifications share the event loop in turns', () => {
  it('runs at once while the turn has budget left', async () => {
    const turns = new VerificationTurns(1000);
    let other = false;
    setImmediate(() => {
      other = true;
    });
    for (let i = 0; i < 5; i++) await turns.next();
    expect(other).toBe(false);
  });

  it('lets other work run once a turn has spent its budget', async () => {
    const turns = new VerificationTurns(2);
    const log: string[] = [];
    const worker = async () => {
      for (let i = 0; i < 4; i++) {
        await turns.next();
        spin(3);
        log.push('work');
      }
    };
    const done = worker();
    // Queued after the first turn opened: it must run before the work is done.
    setImmediate(() => log.push('other'));
    await done;
    expect(log.indexOf('other')).toBeGreaterThan(0);
    expect(log.indexOf('other')).toBeLessThan(log.length - 1);
  });

  it('shares one budget between verifications, which take turns in the order they waited', async () => {
    const turns = new VerificationTurns(1);
    const log: string[] = [];
    const worker = async (name: string) => {
      for (let i = 0; i < 3; i++) {
        await turns.next();
        spin(2);
        log.push(name);
      }
    };
    await Promise.all([worker('a'), worker('b'), nextImmediate()]);
    // Each turn spends its budget on one verification: neither runs twice in a row.
    expect(log).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });
});
