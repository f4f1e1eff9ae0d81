import { describe, expect, it } from 'vitest';
import { captureIo } from '../../src/cli/io.ts';
import { Progress } from '../../src/cli/progress.ts';

describe('Progress', () => {
  it('prints a line at most every interval when not on a terminal, none for short work', () => {
    let now = 0;
    const io = captureIo('/');
    const progress = new Progress(io, { label: 'Users listed', total: 2000, everyMs: 5000, now: () => now });
    progress.update(100);
    now = 4999;
    progress.update(200);
    expect(io.stderr).toBe('');
    now = 5000;
    progress.update(500);
    now = 6000;
    progress.update(600);
    now = 10_000;
    progress.update(2000);
    progress.end();
    expect(io.stderr).toBe('Users listed: 500 of 2,000 (25%)\nUsers listed: 2,000 of 2,000 (100%)\n');
  });

  it('redraws a bar in place on a terminal and ends its line', () => {
    let now = 0;
    const io = { ...captureIo('/'), interactive: true };
    let written = '';
    io.err = (text) => void (written += text);
    const progress = new Progress(io, { label: 'records read', total: 4, now: () => now });
    progress.update(1);
    now = 50;
    progress.update(2);
    now = 200;
    progress.update(4);
    progress.end();
    expect(written).toBe(
      `\r[${'#'.repeat(8)}${'-'.repeat(22)}] 25% records read: 1\r[${'#'.repeat(30)}] 100% records read: 4\n`,
    );
  });

  it('counts without a total', () => {
    let now = 0;
    const io = captureIo('/');
    const progress = new Progress(io, { label: 'records read', everyMs: 10, now: () => now });
    now = 10;
    progress.update(12_345);
    expect(io.stderr).toBe('records read: 12,345\n');
  });
});
