import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppRun } from '../../../contract/app-run';
import type { AppSummary } from '../../../contract/apps';
import { openUntrusted, readUntrustedText } from '../../fs/untrusted-file';
import { LifeboatFailure } from '../../lifeboat-failure';
import { processesHolding } from '../../restore/file-holders';
import { headerLength, parseSqliteHeader } from '../../sqlite/sqlite-header';

/**
 * What a holder of `lifeboat serve`'s token may reach: the apps that were set up, and new ones only
 * in the folders the operator allowed when starting it (`--allow DIR`); never the server's whole
 * filesystem, and never a command or a service the operator did not choose.
 */

/** A path with its links resolved as far as it exists (the rest appended): where it really leads. */
function realPathOf(p: string): string {
  const absolute = path.resolve(p);
  let existing = absolute;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) {
      break;
    }
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  return path.join(fs.realpathSync(existing), ...rest);
}

/** Whether `child` is `parent` or lies inside it (by path, links not resolved). */
export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** What the page sees through lifeboat serve in place of an environment variable's value: only that it is set. */
const hiddenEnvValue = '(hidden)';

function envValuesHidden(run: AppRun): AppRun {
  return { ...run, env: Object.fromEntries(Object.keys(run.env).map((name) => [name, hiddenEnvValue])) };
}

/** An app as a token holder may see it: its environment's names, never their values (passwords, API keys). */
export function withEnvValuesHidden(summary: AppSummary): AppSummary {
  return {
    ...summary,
    ...(summary.run === undefined ? {} : { run: envValuesHidden(summary.run) }),
    runFromFile: summary.runFromFile === null ? null : envValuesHidden(summary.runFromFile),
  };
}

export class WebBoundary {
  private readonly allowed: readonly string[];

  /** `allowed`: the folders given with --allow; `ownDir`: Lifeboat's data folder (where the demo lives). */
  constructor(allowed: readonly string[], ownDir: string) {
    this.allowed = [...allowed, ownDir].map(realPathOf);
  }

  /** The folders a token holder may add apps in (the data folder last). */
  get folders(): readonly string[] {
    return this.allowed;
  }

  /** Fails with PERMISSION_DENIED unless `p` (after its links) lies in an allowed folder. */
  requireAllowed(p: string, what: string): void {
    if (!this.allowed.some((folder) => isInside(realPathOf(p), folder))) {
      const given = this.allowed.slice(0, -1);
      const why =
        given.length > 0
          ? `is outside the folders this lifeboat serve may reach (${given.join(', ')}, given with --allow): choose a folder inside them, or start it`
          : 'is out of reach: this lifeboat serve was started without --allow, so no folder can be chosen through it. Start it';
      throw new LifeboatFailure(
        'PERMISSION_DENIED',
        `${what} ${p} ${why} with --allow DIR for the folder that holds your apps, or set the app up in the desktop app or its lifeboat.json.`,
        p,
      );
    }
  }

  /**
   * What a token holder may delete: a snapshot, that is a regular SQLite file (not a link, not another
   * file of an app's folder), that is not the live database or a sidecar of any app set up (a hard link
   * included), and that no other process holds open (the live database of an app Lifeboat does not know).
   */
  requireSnapshotToDelete(filePath: string, liveDatabases: readonly string[]): void {
    const notSnapshot = (why: string): LifeboatFailure =>
      new LifeboatFailure(
        'INVALID_ARGUMENT',
        `${path.basename(filePath)} is not a snapshot (${why}): through lifeboat serve only snapshots are deleted. Nothing was deleted.`,
        filePath,
      );
    const opened = openUntrusted(filePath);
    if (opened.kind !== 'open') {
      throw notSnapshot(opened.kind === 'missing' ? 'it is gone' : opened.reason);
    }
    const header = Buffer.alloc(headerLength);
    let bytesRead: number;
    try {
      bytesRead = fs.readSync(opened.fd, header, 0, headerLength, 0);
    } finally {
      fs.closeSync(opened.fd);
    }
    if (parseSqliteHeader(header.subarray(0, bytesRead)).kind !== 'sqlite') {
      throw notSnapshot('it is not an SQLite database');
    }
    const identity = (stat: fs.Stats): string => `${stat.dev}:${stat.ino}`;
    const live = new Set(
      liveDatabases.flatMap((database) =>
        ['', '-wal', '-shm', '-journal'].flatMap((suffix) => {
          const stat = fs.statSync(`${database}${suffix}`, { throwIfNoEntry: false });
          return stat === undefined ? [] : [identity(stat)];
        }),
      ),
    );
    if (live.has(identity(opened.stat))) {
      throw notSnapshot('it is the live database of an app, or one of its files');
    }
    const { holders } = processesHolding(filePath);
    if (holders.length > 0) {
      throw new LifeboatFailure(
        'DB_IN_USE',
        `${path.basename(filePath)} is open in ${holders.map((h) => `${h.command} (pid ${h.pid})`).join(', ')}: a database in use is not a snapshot, so it is not deleted through lifeboat serve.`,
        filePath,
      );
    }
  }

  /**
   * Run settings a token holder may save: no commands or environment (refused before), a Compose
   * service only if the app's compose file declares it, a systemd unit only as it already was.
   */
  requireRunAllowed(run: AppRun, appDir: string, current: AppRun | undefined): void {
    const unchanged = current?.preset === run.preset && current.service === run.service;
    if (
      run.preset === 'docker-compose' &&
      !unchanged &&
      !composeServices(appDir).includes(run.service ?? '')
    ) {
      throw new LifeboatFailure(
        'PERMISSION_DENIED',
        `The Compose service "${run.service ?? ''}" is not declared in a compose file in ${appDir}: through lifeboat serve, only a service of the app's own compose file can be chosen.`,
      );
    }
    if (run.preset === 'systemd' && !unchanged) {
      throw new LifeboatFailure(
        'PERMISSION_DENIED',
        `A systemd unit to stop and start cannot be chosen through lifeboat serve: set it in lifeboat.json in ${appDir} on the server, or in the desktop app.`,
      );
    }
  }
}

const composeFiles = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** The services a compose file in `dir` declares: the keys one level under `services:`. */
function composeServices(dir: string): string[] {
  const read = composeFiles
    .map((name) => readUntrustedText(path.join(dir, name), 1024 * 1024))
    .find((r) => r.kind !== 'missing');
  if (read?.kind !== 'text') {
    return [];
  }
  const services: string[] = [];
  let indent: number | null = null;
  let inServices = false;
  for (const line of read.text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      continue;
    }
    const depth = line.length - line.trimStart().length;
    if (depth === 0) {
      inServices = /^services:\s*$/.test(line);
      indent = null;
      continue;
    }
    const key = /^\s+([A-Za-z0-9._-]+):/.exec(line)?.[1];
    if (inServices && key !== undefined && (indent === null || depth === indent)) {
      indent = depth;
      services.push(key);
    }
  }
  return services;
}
