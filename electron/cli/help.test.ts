import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lifeboat } from '../testing/cli-run';
import { makeTempDir } from '../testing/fixtures';
import { closestNames } from '../core/closest-names';
import { commandTable } from './help';

describe('lifeboat help', () => {
  let temp: { dir: string; cleanup: () => void };
  let overview: string;
  before(() => {
    temp = makeTempDir();
    const run = lifeboat(['help'], temp.dir);
    assert.equal(run.code, 0, run.stderr);
    overview = run.stdout;
  });
  after(() => temp.cleanup());

  it('gives an overview of one line a command of the table, pointing to the full reference', () => {
    const lines = overview.split('\n');
    for (const command of commandTable) {
      const line = lines.filter((l) => l.startsWith(`  lifeboat ${command.synopsis} `));
      assert.equal(line.length, 1, command.name);
      assert.ok(line[0]?.endsWith(command.summary), command.name);
    }
    assert.match(overview, /docs\/cli\.md/);
    for (const args of [['--help'], ['-h'], []]) {
      const run = lifeboat(args, temp.dir);
      assert.equal(run.code, 0, args.join(' '));
      assert.equal(run.stdout, overview, args.join(' '));
    }
  });

  it('gives each command of the table its own help: its usage, options and text, the same with --help', () => {
    for (const command of commandTable) {
      const help = lifeboat(['help', command.name], temp.dir);
      assert.equal(help.code, 0, help.stderr);
      assert.notEqual(help.stdout, overview, command.name);
      const usage = help.stdout.split('\n\n')[0]?.split('\n') ?? [];
      assert.equal(usage[0], 'Usage:', command.name);
      assert.ok(usage.length > 1, command.name);
      assert.ok(usage[1]?.startsWith(`  lifeboat ${command.name}`), command.name);
      for (const line of usage.slice(2)) {
        const goesOn = line.startsWith('            ');
        assert.ok(goesOn || line.startsWith(`  lifeboat ${command.name} `), `${command.name}: ${line}`);
      }
      assert.ok(help.stdout.includes(command.help), command.name);
      assert.ok(help.stdout.endsWith(`More: docs/cli.md#${command.name}\n`), command.name);
      for (const flag of ['--help', '-h']) {
        const run = lifeboat([command.name, flag], temp.dir);
        assert.equal(run.code, 0, `${command.name} ${flag}`);
        assert.equal(run.stdout, help.stdout, `${command.name} ${flag}`);
      }
    }
  });

  it('has a help text, a summary and a usage line for every command of the table, each named once', () => {
    const names = commandTable.map((c) => c.name);
    assert.deepEqual([...new Set(names)], names);
    for (const command of commandTable) {
      assert.ok(command.help.trim().length > 20, command.name);
      assert.ok(command.summary.length > 0, command.name);
      assert.ok(command.usage.length > 0, command.name);
      assert.ok(command.synopsis.startsWith(command.name), command.name);
    }
  });

  it('refuses help for a command that does not exist, as an unknown command', () => {
    for (const args of [['help', 'nosuch'], ['nosuch', '--help'], ['nosuch']]) {
      const run = lifeboat(args, temp.dir);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stdout, '', args.join(' '));
      assert.equal(
        run.stderr,
        'lifeboat: Unknown command "nosuch". Run "lifeboat help" for usage. [INVALID_ARGUMENT]\n',
      );
    }
  });

  it('says which command a mistyped one may have meant, with the same code and exit code', () => {
    const run = lifeboat(['bakup', '--db', 'app.db'], temp.dir);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'lifeboat: Unknown command "bakup". Did you mean "backup"? Run "lifeboat help" for usage. [INVALID_ARGUMENT]\n',
    );
    const json = lifeboat(['lsit', '--json'], temp.dir);
    assert.equal(json.code, 2);
    assert.deepEqual(json.json(), {
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'Unknown command "lsit". Did you mean "list"? Run "lifeboat help" for usage.',
      },
    });
    assert.match(lifeboat(['help', 'restor'], temp.dir).stderr, /Did you mean "restore"\?/);
  });
});

describe('closestNames', () => {
  const names = commandTable.map((c) => c.name);

  it('finds the names two edits away at most, closest first', () => {
    assert.deepEqual(closestNames('bakup', names), ['backup']);
    assert.deepEqual(closestNames('Backup', names), ['backup']);
    assert.deepEqual(closestNames('pinn', names), ['pin']);
    assert.deepEqual(closestNames('lsit', names), ['list']);
  });

  it('finds the names a word of two letters or more begins', () => {
    assert.deepEqual(closestNames('upgr', names), ['upgrade']);
    assert.deepEqual(closestNames('prun', names), ['prune', 'pin']);
    assert.deepEqual(closestNames('ver', names), ['verify', 'version']);
  });

  it('finds nothing for a word like no name', () => {
    assert.deepEqual(closestNames('frobnicate', names), []);
    assert.deepEqual(closestNames('x', names), []);
  });
});
