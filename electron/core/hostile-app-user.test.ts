import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { lifeboat } from '../testing/cli-run';
import { contentDigest, createLiveDatabase, makeTempDir } from '../testing/fixtures';
import {
  appUser,
  giveToAppUser,
  hostileUserSkip,
  runAsAppUser,
  startAsAppUser,
} from '../testing/hostile-user';
import { straceUnavailable, traceLifeboat } from '../testing/syscall-trace';
import { activityLine, appendActivity, readActivity } from './activity/activity-log';
import { LifeboatFailure } from './lifeboat-failure';
import { FolderStore } from './offsite/folder-store';
import { restorePaths } from './restore/restore-journal';

type Failed = { error: { code: string; message: string } };

/** A journal as Lifeboat writes one, with `fields` changed. */
function journalText(db: string, backups: string, fields: Record<string, unknown>): string {
  return JSON.stringify({
    version: 1,
    database: db,
    snapshot: path.join(backups, 'app-1.db'),
    snapshotSha256: '0'.repeat(64),
    preRestore: null,
    owner: null,
    journalMode: 'wal',
    step: 'stage',
    startedAt: new Date(0).toISOString(),
    upgrade: true,
    ...fields,
  });
}

describe('a restore journal Lifeboat cannot trust', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  const cases: [string, (db: string, backups: string) => string, RegExp][] = [
    ['cut short', (db, backups) => journalText(db, backups, {}).slice(0, 40), /not JSON/],
    [
      'naming another database',
      (db, backups) => journalText(db, backups, { database: path.join(temp.dir, 'other.db') }),
      /another database/,
    ],
    [
      'naming a snapshot outside the backups folder',
      (db, backups) => journalText(db, backups, { step: 'discard-old', preRestore: '/etc/passwd' }),
      /not a snapshot file in the backups folder/,
    ],
    [
      'with a mode beyond permissions',
      (db, backups) => journalText(db, backups, { owner: { mode: 0o4755, uid: 0, gid: 0 } }),
      /not a restore journal/,
    ],
  ];
  for (const [what, text, reason] of cases) {
    it(`${what}: reported as JOURNAL_INVALID and never acted on, and backup and list still work`, () => {
      const dir = fs.mkdtempSync(path.join(temp.dir, 'journal-'));
      const db = path.join(dir, 'app.db');
      createLiveDatabase(db, 'wal', 16 * 1024);
      const before = fs.readFileSync(db);
      fs.writeFileSync(restorePaths(db).journal, text(db, path.join(dir, 'backups')));
      for (const mode of ['--rollback', '--resume']) {
        const run = lifeboat(['restore', mode, '--db', db, '--json'], dir);
        assert.equal(run.code, 1, run.stderr);
        assert.equal(run.json<Failed>().error.code, 'JOURNAL_INVALID');
        assert.match(run.json<Failed>().error.message, reason);
      }
      assert.deepEqual(fs.readFileSync(db), before, 'the live database changed');
      assert.equal(
        fs.existsSync(restorePaths(db).journal),
        true,
        'the journal is left for a person to look at',
      );
      const backup = lifeboat(['backup', '--db', db, '--json'], dir);
      assert.equal(backup.code, 0, backup.stderr);
      assert.match(backup.stderr, /JOURNAL_INVALID|cannot be trusted/);
      assert.equal(lifeboat(['list', '--db', db], dir).code, 0);
    });
  }
});

/**
 * Lifeboat run as root against folders the app's user owns (issue 10): every file there is the app
 * user's to shape, and none of them may steer what root does. The attacker is the real user `nobody`.
 */
describe('files the app user controls, with Lifeboat run as root', { skip: hostileUserSkip }, () => {
  let temp: { dir: string; cleanup: () => void };
  let app: string;
  let secret: string;
  const secretText = 'root only\n';
  before(() => {
    temp = makeTempDir();
    app = path.join(temp.dir, 'app');
    fs.mkdirSync(app);
    giveToAppUser(temp.dir, app);
    // A file only root may read or write, in a folder only root may change.
    const vault = path.join(temp.dir, 'vault');
    fs.mkdirSync(vault, { mode: 0o700 });
    secret = path.join(vault, 'secret');
    fs.writeFileSync(secret, secretText, { mode: 0o600 });
  });
  after(() => temp.cleanup());

  /** A fresh app folder with a live database, both the app user's; its backups folder beside it. */
  function appFolder(name: string): { dir: string; db: string; backups: string } {
    const dir = path.join(app, name);
    fs.mkdirSync(dir);
    const db = path.join(dir, 'app.db');
    createLiveDatabase(db, 'wal', 64 * 1024);
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(path.join(backups, '.lifeboat'), { recursive: true });
    giveToAppUser(dir, db, backups, path.join(backups, '.lifeboat'));
    return { dir, db, backups };
  }

  function assertSecretUntouched(): void {
    const stat = fs.statSync(secret);
    assert.equal(fs.readFileSync(secret, 'utf8'), secretText);
    assert.deepEqual([stat.uid, stat.mode & 0o777], [0, 0o600]);
  }

  it('H2: root appends nothing through a linked activity log, and a FIFO in its place blocks nothing', () => {
    const linked = appFolder('activity-link');
    const missing = path.join(temp.dir, 'vault', 'created-by-root');
    runAsAppUser(
      `require('fs').symlinkSync(process.argv[1], process.argv[2])`,
      secret,
      path.join(linked.backups, '.lifeboat', 'activity.jsonl'),
    );
    const backup = lifeboat(['backup', 'nightly', '--db', linked.db, '--json'], linked.dir);
    assert.equal(backup.code, 0, backup.stderr);
    assertSecretUntouched();
    fs.rmSync(path.join(linked.backups, '.lifeboat', 'activity.jsonl'));
    runAsAppUser(
      `require('fs').symlinkSync(process.argv[1], process.argv[2])`,
      missing,
      path.join(linked.backups, '.lifeboat', 'activity.jsonl'),
    );
    assert.equal(lifeboat(['backup', '--db', linked.db, '--json'], linked.dir).code, 0);
    assert.equal(fs.existsSync(missing), false, 'root created the file the link names');

    const fifo = appFolder('activity-fifo');
    runAsAppUser(
      `require('child_process').execFileSync('mkfifo', [process.argv[1]])`,
      path.join(fifo.backups, '.lifeboat', 'activity.jsonl'),
    );
    const blocked = lifeboat(['backup', '--db', fifo.db, '--json'], fifo.dir);
    assert.equal(blocked.signal, null, 'the backup hung on the FIFO');
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.deepEqual(readActivity(fifo.backups), []);
  });

  it('H2: names the app user chose are written as one line of printable ASCII', () => {
    const name = 'x$(id>proof)\n{"forged":1}\u2028\u001b[31m.db';
    const line = activityLine({
      at: new Date(0).toISOString(),
      action: 'snapshot',
      database: '/srv/app.db',
      target: name,
      outcome: 'ok',
      detail: 'd',
      origin: 'cli',
    });
    assert.match(line, /^[\x20-\x7e]*\n$/);
    const dir = path.join(temp.dir, 'escaped');
    appendActivity(dir, JSON.parse(line) as Parameters<typeof appendActivity>[1]);
    assert.equal(readActivity(dir)[0]?.target, name);
  });

  it('C2: a journal the app user wrote is never acted on, whatever it names', () => {
    const folder = appFolder('journal');
    const before = fs.readFileSync(folder.db);
    // Root restoring at the last step would put the "pre-restore snapshot" (here root's secret) in
    // place of the database and give it to the owner the journal names.
    const forged = journalText(folder.db, folder.backups, {
      step: 'discard-old',
      preRestore: secret,
      owner: { mode: 0o644, uid: 65534, gid: 65534 },
    });
    runAsAppUser(
      `require('fs').writeFileSync(process.argv[1], process.argv[2])`,
      restorePaths(folder.db).journal,
      forged,
    );
    const run = lifeboat(['restore', '--rollback', '--db', folder.db, '--json'], folder.dir);
    assert.equal(run.json<Failed>().error.code, 'JOURNAL_INVALID');
    assert.match(run.json<Failed>().error.message, /belongs to user 65534/);
    assert.deepEqual(fs.readFileSync(folder.db), before);
    assertSecretUntouched();
  });

  it('C1: the staged copy swapped for a link or a forged database during the copy: root neither gives the link away nor restores the forgery', async () => {
    const folder = appFolder('staged');
    createLiveDatabase(path.join(folder.dir, 'big.db'), 'wal', 48 * 1024 * 1024);
    fs.renameSync(path.join(folder.dir, 'big.db'), folder.db);
    fs.rmSync(`${folder.db}-wal`, { force: true });
    fs.rmSync(`${folder.db}-shm`, { force: true });
    giveToAppUser(folder.db);
    const backup = lifeboat(['backup', '--db', folder.db, '--json'], folder.dir);
    assert.equal(backup.code, 0, backup.stderr);
    const snapshot = backup.json<{ snapshot: { file: string } }>().snapshot.file;
    const forged = path.join(folder.dir, 'forged.db');
    const db = new Database(forged);
    db.exec('CREATE TABLE forged (x)');
    db.close();
    giveToAppUser(forged);
    // The app user swaps every file root is still writing under the staged name, by turns for a link
    // to root's secret and for a database of its own, until told to stop; it prints how often it hit.
    const stop = path.join(folder.dir, 'stop');
    const attacker = startAsAppUser(
      `const fs = require('fs'); const [staged, secret, forged, stop] = process.argv.slice(1); let hits = 0;
       while (!fs.existsSync(stop)) {
         try {
           if (fs.lstatSync(staged).uid === 0) {
             const tmp = staged + '.' + hits;
             if (hits % 2 === 0) fs.symlinkSync(secret, tmp); else fs.copyFileSync(forged, tmp);
             fs.renameSync(tmp, staged);
             hits += 1;
           }
         } catch {}
       }
       process.stdout.write(String(hits));`,
      restorePaths(folder.db).staged,
      secret,
      forged,
      stop,
    );
    const output: Buffer[] = [];
    attacker.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    const outcomes: string[] = [];
    const stopAttacker = async (): Promise<void> => {
      fs.writeFileSync(stop, '');
      await new Promise((resolve) => attacker.once('exit', resolve));
    };
    try {
      for (let round = 0; round < 4; round += 1) {
        const run = lifeboat(['restore', snapshot, '--db', folder.db, '--yes', '--json'], folder.dir);
        outcomes.push(run.code === 0 ? 'restored' : (run.json<Failed>().error.code ?? 'failed'));
        assertSecretUntouched();
        const live = new Database(folder.db, { readonly: true });
        const tables = live.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
        live.close();
        assert.equal(tables.includes('forged'), false, 'the forged database took the live name');
        assert.ok(tables.includes('ledger'));
        assert.equal(fs.lstatSync(folder.db).isSymbolicLink(), false);
      }
    } finally {
      await stopAttacker();
    }
    assert.ok(
      Number(Buffer.concat(output).toString()) > 0,
      `the attacker never hit the staged copy (outcomes: ${outcomes.join(', ')})`,
    );
  });

  it("#33: a snapshot root takes is Lifeboat's, readable as the live file is, and the app user can neither chmod nor rewrite it", () => {
    const folder = appFolder('owned');
    fs.chmodSync(folder.db, 0o640);
    const backup = lifeboat(['backup', '--db', folder.db, '--json'], folder.dir);
    assert.equal(backup.code, 0, backup.stderr);
    const snapshot = backup.json<{ snapshot: { path: string } }>().snapshot.path;
    const stat = fs.statSync(snapshot);
    // Lifeboat's user owns it; the live file's group and read bits let the app read it.
    assert.deepEqual([stat.uid, stat.gid, stat.mode & 0o777], [0, appUser.gid, 0o440]);
    const tried = runAsAppUser(
      `const fs = require('fs'); const out = [];
       for (const act of [() => fs.chmodSync(process.argv[1], 0o666), () => fs.openSync(process.argv[1], 'r+')]) {
         try { act(); out.push('done'); } catch (e) { out.push(e.code); }
       }
       fs.readFileSync(process.argv[1]);
       process.stdout.write(out.join(','));`,
      snapshot,
    );
    assert.equal(tried, 'EPERM,EACCES', 'the app user could change the snapshot');
  });

  it('#33: between creation and publication the snapshot is reached only through descriptors, never by a name the app user can change', (t) => {
    const unavailable = straceUnavailable();
    if (unavailable !== null) {
      t.skip(unavailable);
      return;
    }
    const folder = appFolder('traced');
    const calls = traceLifeboat(['backup', 'traced', '--db', folder.db], folder.dir, [
      'open',
      'openat',
      'creat',
      'chmod',
      'fchmodat',
      'chown',
      'lchown',
      'fchownat',
      'truncate',
      'unlink',
      'unlinkat',
      'link',
      'linkat',
      'rename',
      'renameat',
      'renameat2',
      'mkdir',
      'mkdirat',
      'rmdir',
    ]);
    // Its staging folder in the backups folder: made, opened once as a folder, removed once empty.
    const stagingFolder = /\/backups\/(\.lifeboat-tmp-[^/]+)$/;
    const staging = calls.find(
      (call) => call.name.startsWith('mkdir') && stagingFolder.test(call.paths[0] ?? ''),
    );
    assert.ok(staging !== undefined, 'the snapshot is written in a staging folder');
    const folderPath = staging.paths[0] ?? '';
    const byName = calls.filter((call) => /"[^"]*\/backups\/\.lifeboat-tmp-/.test(call.args));
    const allowed = (call: (typeof calls)[number]): boolean =>
      call.name.startsWith('mkdir') || call.name === 'rmdir'
        ? call.paths[0] === folderPath
        : // Opening the folder itself, as a folder, never following a link.
          (/^open/.test(call.name) &&
            call.args.includes(`"${folderPath}"`) &&
            /O_DIRECTORY/.test(call.args) &&
            /O_NOFOLLOW/.test(call.args)) ||
          // SQLite opens the file by the name it resolves the folder's descriptor to, read-only; Lifeboat
          // then proves it holds the very file written (openSnapshotDescriptor).
          (/^open/.test(call.name) &&
            call.args.includes(`"${folderPath}/snapshot.db"`) &&
            /O_RDONLY\|O_NOFOLLOW/.test(call.args) &&
            !/O_CREAT|O_WR|O_RDWR|O_TRUNC/.test(call.args));
    assert.deepEqual(
      byName.filter((call) => !allowed(call)).map((call) => `${call.name}(${call.args})`),
      [],
      'a call acted on the snapshot by a name in the backups folder',
    );
    const chmods = calls.filter((call) => /chmod|chown/.test(call.name));
    assert.deepEqual(chmods, [], 'chmod or chown by path');
    assert.ok(
      calls.some((call) => call.name.startsWith('link') && call.args.startsWith('"/proc/self/fd/')),
      "published through the staging folder's descriptor",
    );
  });

  it('#33: root clears only the staging folders a killed Lifeboat left, never one the app user made', () => {
    const folder = appFolder('staging');
    // Named as the staging folder of a killed process (no such pid runs) would be, made by the app user.
    const theirs = path.join(folder.backups, '.lifeboat-tmp-4194000-0123456789abcdef');
    runAsAppUser(
      `const fs = require('fs'); fs.mkdirSync(process.argv[1]); fs.writeFileSync(process.argv[1] + '/snapshot.db', 'theirs');`,
      theirs,
    );
    const backup = lifeboat(['backup', '--db', folder.db, '--json'], folder.dir);
    assert.equal(backup.code, 0, backup.stderr);
    assert.equal(fs.readFileSync(path.join(theirs, 'snapshot.db'), 'utf8'), 'theirs');
  });

  describe('#33: undo takes its snapshot from a record Lifeboat owns, and checks it', () => {
    /** An app folder after a backup and a restore of it: the live database changed since, and undo would put it back. */
    function restoredOnce(name: string): {
      folder: ReturnType<typeof appFolder>;
      preRestore: string;
      forged: string;
    } {
      const folder = appFolder(name);
      const backup = lifeboat(['backup', '--db', folder.db, '--json'], folder.dir);
      assert.equal(backup.code, 0, backup.stderr);
      const writer = new Database(folder.db);
      writer.exec("INSERT INTO ledger (account, amount, at) VALUES (1, 1, 'after the backup')");
      writer.close();
      const restore = lifeboat(
        [
          'restore',
          backup.json<{ snapshot: { file: string } }>().snapshot.file,
          '--db',
          folder.db,
          '--yes',
          '--json',
        ],
        folder.dir,
      );
      assert.equal(restore.code, 0, restore.stderr);
      const preRestore = restore.json<{ preRestoreSnapshot: string }>().preRestoreSnapshot;
      // The app user's own database, in its backups folder, with a table that must never go live.
      const forged = path.join(folder.backups, 'app-20200101-000000-forged.db');
      runAsAppUser(`require('fs').copyFileSync(process.argv[1], process.argv[2])`, forgedSource, forged);
      return { folder, preRestore, forged };
    }

    let forgedSource: string;
    before(() => {
      forgedSource = path.join(app, 'forged.db');
      const db = new Database(forgedSource);
      db.exec('CREATE TABLE forged (x)');
      db.close();
    });

    function liveTables(db: string): string[] {
      const live = new Database(db, { readonly: true });
      try {
        return live.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      } finally {
        live.close();
      }
    }

    const undo = (folder: { db: string; dir: string }) =>
      lifeboat(['restore', '--undo', '--db', folder.db, '--yes', '--json'], folder.dir);

    it('a forged activity log changes nothing: undo puts back the pre-restore snapshot Lifeboat recorded', () => {
      const { folder, preRestore, forged } = restoredOnce('undo-log');
      const log = path.join(folder.backups, '.lifeboat', 'activity.jsonl');
      const line = JSON.stringify({
        at: new Date().toISOString(),
        action: 'restore',
        database: folder.db,
        target: 'app-old.db',
        outcome: 'ok',
        detail: 'Restored.',
        preRestore: path.basename(forged),
        origin: 'cli',
      });
      // The app user owns .lifeboat/: it replaces the log with one of its own that ends with its line.
      runAsAppUser(
        `const fs = require('fs'); const [log, line] = process.argv.slice(1);
         fs.writeFileSync(log + '.new', fs.readFileSync(log, 'utf8') + line + '\\n'); fs.renameSync(log + '.new', log);`,
        log,
        line,
      );
      const run = undo(folder);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.json<{ snapshot: string }>().snapshot, preRestore);
      assert.equal(liveTables(folder.db).includes('forged'), false, 'undo put back the forged database');
      assert.equal(contentDigest(folder.db), contentDigest(preRestore));
    });

    const refusals: [
      string,
      (paths: { record: string; preRestore: string; forged: string; other: string }) => void,
      string,
    ][] = [
      [
        // Naming a snapshot of root's, with its true checksum: only the record's owner gives it away.
        'its record replaced by one the app user wrote',
        ({ record, other }) =>
          runAsAppUser(
            `const fs = require('fs'); const path = require('path'); const [record, other] = process.argv.slice(1);
             const sha = require('crypto').createHash('sha256').update(fs.readFileSync(other)).digest('hex');
             const text = fs.readFileSync(record, 'utf8')
               .replace(/"preRestore": "[^"]*"/, '"preRestore": "' + path.basename(other) + '"')
               .replace(/"preRestoreSha256": "[^"]*"/, '"preRestoreSha256": "' + sha + '"');
             fs.unlinkSync(record); fs.writeFileSync(record, text);`,
            record,
            other,
          ),
        'UNDO_UNTRUSTED',
      ],
      [
        'its record a link to another file of root',
        ({ record, other }) =>
          runAsAppUser(
            `const fs = require('fs'); const [record, other] = process.argv.slice(1); fs.unlinkSync(record); fs.symlinkSync(other, record);`,
            record,
            other,
          ),
        'UNDO_UNTRUSTED',
      ],
      [
        'its snapshot swapped for a link to another snapshot of root',
        ({ preRestore, other }) =>
          runAsAppUser(
            `const fs = require('fs'); const [snap, other] = process.argv.slice(1); fs.unlinkSync(snap); fs.symlinkSync(other, snap);`,
            preRestore,
            other,
          ),
        'UNDO_UNTRUSTED',
      ],
      [
        'its snapshot swapped for the forged database',
        ({ preRestore, forged }) =>
          runAsAppUser(
            `const fs = require('fs'); const [snap, forged] = process.argv.slice(1); fs.unlinkSync(snap); fs.copyFileSync(forged, snap);`,
            preRestore,
            forged,
          ),
        'UNDO_UNTRUSTED',
      ],
      [
        // Root's own file, not a link, but not what Lifeboat took before the restore.
        'its snapshot swapped for another snapshot of root',
        // Its record beside it goes too, so that the snapshot's own record vouches for the swap.
        ({ preRestore, other }) =>
          runAsAppUser(
            `const fs = require('fs'); const path = require('path'); const [other, snap] = process.argv.slice(1);
             const records = path.join(path.dirname(snap), '.lifeboat');
             fs.renameSync(other, snap);
             fs.renameSync(path.join(records, path.basename(other) + '.json'), path.join(records, path.basename(snap) + '.json'));`,
            other,
            preRestore,
          ),
        'CHECKSUM_MISMATCH',
      ],
    ];
    refusals.forEach(([what, attack, code], index) => {
      it(`refused with ${code}, changing nothing, when ${what}`, () => {
        const name = `undo-${index}`;
        const { folder, preRestore, forged } = restoredOnce(name);
        // A file of root's in the backups folder, that is not the pre-restore snapshot: the first backup.
        const other = path.join(
          folder.backups,
          fs.readdirSync(folder.backups).find((n) => n.endsWith('-manual.db')) ?? '',
        );
        const record = path.join(folder.backups, '.lifeboat', 'last-restore.json');
        const liveBefore = fs.readFileSync(folder.db);
        attack({ record, preRestore, forged, other: other.endsWith('.db') ? other : '' });
        const run = undo(folder);
        assert.equal(run.code, 1, run.stderr);
        assert.equal(run.json<Failed>().error.code, code, run.json<Failed>().error.message);
        assert.deepEqual(fs.readFileSync(folder.db), liveBefore, 'the live database changed');
      });
    });
  });

  it('#33: a folder target whose folder the app user swaps for a link after it was listed: nothing outside the target is deleted, read or written', async () => {
    const target = path.join(temp.dir, 'nas');
    const store = new FolderStore(target);
    for (const name of ['20260101T000000Z-nightly.db.gz', '20260101T000000Z-nightly.db.gz.json']) {
      await store.put(
        `homeserver/notes/${name}`,
        Readable.from([Buffer.from(name)]),
        new AbortController().signal,
      );
    }
    giveToAppUser(target, path.join(target, 'homeserver'), path.join(target, 'homeserver', 'notes'));
    // Root's files elsewhere, under the same names as the target's.
    const outside = path.join(temp.dir, 'vault', 'notes');
    fs.mkdirSync(outside);
    for (const name of fs.readdirSync(path.join(target, 'homeserver', 'notes'))) {
      fs.writeFileSync(path.join(outside, name), 'root only');
    }
    const listed = await store.list('homeserver/notes', 100);
    assert.equal(listed.length, 2);
    runAsAppUser(
      `const fs = require('fs'); const [folder, outside] = process.argv.slice(1);
       fs.renameSync(folder, folder + '-moved'); fs.symlinkSync(outside, folder);`,
      path.join(target, 'homeserver', 'notes'),
      outside,
    );
    // What each call did: the code it failed with, or 'done'.
    const outcome = (what: Promise<unknown>): Promise<string> =>
      what.then(
        () => 'done',
        (error: unknown) => (error instanceof LifeboatFailure ? error.detail.code : String(error)),
      );
    const outcomes: string[] = [];
    for (const object of listed) {
      outcomes.push(await outcome(store.remove(object.key)), await outcome(store.get(object.key)));
    }
    outcomes.push(await outcome(store.list('homeserver/notes', 100)));
    outcomes.push(
      await outcome(
        store.put('homeserver/notes/new.db', Readable.from([Buffer.from('x')]), new AbortController().signal),
      ),
    );
    assert.deepEqual(
      fs.readdirSync(outside).sort(),
      listed.map((o) => path.basename(o.key)).sort(),
      'deleted or written outside the target',
    );
    assert.deepEqual(
      fs.readdirSync(outside).map((name) => fs.readFileSync(path.join(outside, name), 'utf8')),
      ['root only', 'root only'],
    );
    assert.deepEqual(outcomes, Array<string>(6).fill('IO_ERROR'), 'refused, saying why');
  });

  it('M4: records that are links to /dev/zero or FIFOs are treated as missing, not read', () => {
    const folder = appFolder('records');
    assert.equal(lifeboat(['backup', '--db', folder.db, '--json'], folder.dir).code, 0);
    const [snapshot] = fs.readdirSync(folder.backups).filter((n) => n.endsWith('.db'));
    assert.ok(snapshot !== undefined);
    const recordsDir = path.join(folder.backups, '.lifeboat');
    fs.rmSync(path.join(recordsDir, `${snapshot}.json`));
    runAsAppUser(
      `require('fs').symlinkSync('/dev/zero', process.argv[1])`,
      path.join(recordsDir, `${snapshot}.json`),
    );
    fs.copyFileSync(path.join(folder.backups, snapshot), path.join(folder.backups, 'other.db'));
    runAsAppUser(
      `require('child_process').execFileSync('mkfifo', [process.argv[1]])`,
      path.join(recordsDir, 'other.db.json'),
    );
    for (const verb of ['list', 'info']) {
      const run = lifeboat([verb, '--db', folder.db, '--json'], folder.dir);
      assert.equal(run.signal, null, `${verb} hung`);
      assert.equal(run.code, 0, run.stderr);
    }
    const listed = lifeboat(['list', '--db', folder.db, '--json'], folder.dir).json<{
      snapshots: { file: string; status: string }[];
    }>();
    assert.deepEqual(listed.snapshots.map((s) => s.status).sort(), ['unverified', 'unverified']);
  });
});
