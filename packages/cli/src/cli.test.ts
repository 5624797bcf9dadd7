import { test } from 'node:test';
import assert from 'node:assert/strict';
import { antiphase } from './test-support.js';

const COMMANDS = ['simulate', 'cancel', 'identify', 'demo'];

test('antiphase --help (through the bin launcher) lists every command and exits 0', async () => {
  const run = await antiphase(['--help'], { viaBin: true });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Usage: antiphase <command> \[options\]/);
  for (const command of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${command}\\s+\\S`, 'm'));
  assert.equal(run.stderr, '');
});

test('every command prints its usage with --help and -h, even next to a bad option, and exits 0', async () => {
  const runs = await Promise.all(
    COMMANDS.flatMap((command) => [antiphase([command, '--help']), antiphase([command, '--bogus', '-h'])]),
  );
  runs.forEach((run, i) => {
    const command = COMMANDS[Math.floor(i / 2)];
    assert.equal(run.code, 0, `${command}: ${run.stderr}`);
    assert.match(run.stdout, new RegExp(`^Usage: antiphase ${command}`), command);
    assert.match(run.stdout, /-h, --help/, command);
  });
  // The help names what each command needs.
  assert.match(runs[0].stdout, /--noise FILE\.wav[\s\S]*--scene NAME[\s\S]*engine[\s\S]*impulsive[\s\S]*fxlms, fxnlms, fxrls, fdfxlms, pbfxlms/);
  assert.match(runs[2].stdout, /--primary IN\.wav[\s\S]*--reference REF\.wav[\s\S]*--out CLEAN\.wav/);
  assert.match(runs[4].stdout, /--excitation X\.wav[\s\S]*--response Y\.wav[\s\S]*--out S\.json/);
  assert.match(runs[6].stdout, /--seconds N/);
});

test('an unknown command or a stray argument is a usage error (exit 2) that names it', async () => {
  const [unknown, stray, none] = await Promise.all([
    antiphase(['simulat']),
    antiphase(['demo', 'now']),
    antiphase(['simulate', '--taps']),
  ]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^antiphase: error: unknown command 'simulat'; commands: simulate, cancel, identify, demo/);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /^antiphase demo: error: unexpected argument 'now'/);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^antiphase simulate: error: option '--taps' argument missing/);
});
