import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MigrationAdapter, MigrationSource } from './migration-adapter';
import type { AheadTest, AppliedState } from './migration-status';
import { entriesOf, foldersNamed, readSource } from './migration-files';
import { assignedValue, stringLiterals } from './python-source';
import { readRecordedBy } from './recorded-migrations';
import { buildGraph, type CodeGraph, type CodeRevision } from './revision-graph';

/**
 * Django: one chain per app (`<app>/migrations/0001_initial.py`), linked by each file's
 * `dependencies`, across apps too; `django_migrations` records every applied (app, name). Apps the
 * settings install from the project's virtualenv (django.contrib.*, third-party packages) are read
 * from there; without a virtualenv they are left out on both sides (and the status says so), so
 * their rows never read as unknown revisions. A squashed migration stands for the ones it `replaces`,
 * as Django's loader has it: applied when all of them are recorded.
 */

const migrationFile = /^(\d{4})_\w+\.py$/;
const maxDepth = 4;

/** Every `migrations` folder (with an `__init__.py`) under the project, keyed by app label. */
function findMigrationFolders(root: string, depth = 0): Map<string, string> {
  const found = new Map<string, string>();
  if (depth > maxDepth || !fs.existsSync(root)) {
    return found;
  }
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (
      !entry.isDirectory() ||
      entry.name.startsWith('.') ||
      ['node_modules', 'venv', '.venv', 'env', '__pycache__', 'site-packages'].includes(entry.name)
    ) {
      continue;
    }
    const full = path.join(root, entry.name);
    if (entry.name === 'migrations' && fs.existsSync(path.join(full, '__init__.py'))) {
      found.set(path.basename(root), full);
    } else {
      for (const [app, dir] of findMigrationFolders(full, depth + 1)) {
        found.set(app, dir);
      }
    }
  }
  return found;
}

/** `dependencies = [('app', '0001_initial'), migrations.swappable_dependency(...)]` → app.name ids; the same for `replaces`. */
function migrationPairs(source: string, name: 'dependencies' | 'replaces'): string[] {
  const value = assignedValue(source.replace(new RegExp(`^\\s+(?=${name}\\s*=)`, 'm'), ''), name) ?? '';
  // A formatter (black, ruff) writes a long pair on several lines with a trailing comma.
  return [...value.matchAll(/\(\s*(['"])(\w+)\1\s*,\s*(['"])(\w+)\3\s*,?\s*\)/g)].map(
    (m) => `${m[2] ?? ''}.${m[4] ?? ''}`,
  );
}

/** Tables `CreateModel` and `DeleteModel` make and remove (Django's default `<app>_<model>` names). */
function modelTables(app: string, source: string): { created: string[]; dropped: string[] } {
  const created = [
    ...source.matchAll(
      /migrations\.CreateModel\(\s*name=['"](\w+)['"]([\s\S]*?)(?=migrations\.\w+\(|\]\s*$)/g,
    ),
  ].map((m) => {
    const explicit = /['"]db_table['"]\s*:\s*['"](\w+)['"]/.exec(m[2] ?? '')?.[1];
    return explicit ?? `${app}_${(m[1] ?? '').toLowerCase()}`;
  });
  const dropped = [...source.matchAll(/migrations\.DeleteModel\(\s*name=['"](\w+)['"]/g)].map(
    (m) => `${app}_${(m[1] ?? '').toLowerCase()}`,
  );
  return { created, dropped };
}

/**
 * Where the project's virtualenv may be, in the order they are tried: `.venv`, `venv`, then `$VIRTUAL_ENV`. The
 * reader takes installed apps' migrations from their site-packages, and the default upgrade runs their python.
 */
export function projectVirtualenvs(projectDir: string): string[] {
  return [path.join(projectDir, '.venv'), path.join(projectDir, 'venv'), process.env['VIRTUAL_ENV']].filter(
    (v): v is string => v !== undefined && v !== '',
  );
}

/** The site-packages folders of the project's virtualenvs. */
function sitePackages(projectDir: string): string[] {
  return projectVirtualenvs(projectDir).flatMap((venv) =>
    entriesOf(path.join(venv, 'lib'))
      .filter((e) => e.isDirectory() && /^python3/.test(e.name))
      .map((e) => path.join(venv, 'lib', e.name, 'site-packages'))
      .filter((dir) => entriesOf(dir).length > 0),
  );
}

/** The dotted names in the project's INSTALLED_APPS (every settings module found, read as text). */
function installedApps(projectDir: string): string[] {
  const settings = [
    ...foldersNamed(projectDir, new Set(['settings']), 3),
    ...foldersNamed(projectDir, projectPackages(projectDir), 1),
  ];
  const files = settings.flatMap((dir) =>
    entriesOf(dir)
      .filter((e) => e.name.endsWith('.py'))
      .map((e) => path.join(dir, e.name)),
  );
  return [
    ...new Set(
      files.flatMap((file) => stringLiterals(assignedValue(readSource(file) ?? '', 'INSTALLED_APPS'))),
    ),
  ];
}

function projectPackages(projectDir: string): Set<string> {
  return new Set(
    entriesOf(projectDir)
      .filter(
        (e) =>
          e.isDirectory() && entriesOf(path.join(projectDir, e.name)).some((f) => f.name === 'settings.py'),
      )
      .map((e) => e.name),
  );
}

/** An installed app's migrations folder in site-packages: `django.contrib.auth` → …/django/contrib/auth/migrations. */
function installedMigrations(site: string, dotted: string): string | null {
  const parts = dotted.split('.');
  for (let n = parts.length; n > 0; n--) {
    const dir = path.join(site, ...parts.slice(0, n), 'migrations');
    if (entriesOf(dir).some((e) => e.name === '__init__.py')) {
      return dir;
    }
  }
  return null;
}

function sourceFor(projectDir: string): MigrationSource | null {
  const folders = findMigrationFolders(projectDir);
  if (folders.size === 0) {
    return null;
  }
  const outside = installedApps(projectDir).filter(
    (dotted) => !folders.has(dotted.split('.')[0] ?? '') && !folders.has(dotted.split('.').pop() ?? ''),
  );
  const sites = sitePackages(projectDir);
  const found = outside.flatMap((dotted) =>
    sites
      .map((site) => installedMigrations(site, dotted))
      .filter((d): d is string => d !== null)
      .slice(0, 1),
  );
  const missing = sites.length === 0 ? outside : [];
  return {
    tool: 'django',
    locations: [...folders.values(), ...found].sort(),
    ...(missing.length > 0 ? { options: { outside: missing.join(' ') } } : {}),
  };
}

/** The apps whose migrations the project has: rows of other apps are not the project's to judge. */
function projectApps(source: MigrationSource): Set<string> {
  return new Set(source.locations.map((dir) => path.basename(path.dirname(dir))));
}

const isAhead: AheadTest = (unknown, graph) =>
  unknown.every((id) => {
    const [app, name] = id.split('.');
    const numbers = graph.revisions
      .filter((r) => r.id.startsWith(`${app ?? ''}.`))
      .map((r) => Number(r.id.split('.')[1]?.slice(0, 4)));
    return numbers.length > 0 && Number(name?.slice(0, 4)) > Math.max(...numbers);
  });

export const djangoAdapter: MigrationAdapter = {
  tool: 'django',
  detect(appDir) {
    return fs.existsSync(path.join(appDir, 'manage.py')) ? sourceFor(appDir) : null;
  },
  fromFolder(dir) {
    // A single app's migrations folder, or a project folder holding several.
    if (fs.existsSync(path.join(dir, '__init__.py')) && path.basename(dir) === 'migrations') {
      return { tool: 'django', locations: [dir] };
    }
    return sourceFor(dir) ?? { tool: 'django', locations: [] };
  },
  readGraph(source): CodeGraph {
    const apps = projectApps(source);
    const problems: string[] = [];
    const revisions: CodeRevision[] = [];
    const squashed = new Map<string, string>();
    for (const dir of source.locations) {
      const app = path.basename(path.dirname(dir));
      for (const file of fs
        .readdirSync(dir)
        .filter((f) => migrationFile.test(f))
        .sort()) {
        const text = readSource(path.join(dir, file)) ?? '';
        if (!/class Migration\(/.test(text)) {
          problems.push(`${app}/migrations/${file}: no Migration class.`);
          continue;
        }
        const id = `${app}.${file.slice(0, -3)}`;
        const deps = migrationPairs(text, 'dependencies');
        const tables = modelTables(app, text);
        migrationPairs(text, 'replaces').forEach((replaced) => squashed.set(replaced, id));
        revisions.push({
          id,
          parents: deps.filter((d) => d.startsWith(`${app}.`)),
          dependsOn: deps.filter((d) => !d.startsWith(`${app}.`) && apps.has(d.split('.')[0] ?? '')),
          branchLabels: [],
          message: file.slice(5, -3).replace(/_/g, ' '),
          createdAt: /Generated by Django [\d.]+ on (\S+ \S+)/.exec(text)?.[1] ?? null,
          file: path.join(app, 'migrations', file),
          tablesCreated: tables.created,
          tablesDropped: tables.dropped,
        });
      }
    }
    // The squash stands in for what it replaces: links to a replaced migration lead to the squash.
    const kept = revisions
      .filter((r) => !squashed.has(r.id))
      .map((r) => {
        const relink = (ids: readonly string[]): string[] =>
          [...new Set(ids.map((d) => squashed.get(d) ?? d))].filter((d) => d !== r.id);
        return { ...r, parents: relink(r.parents), dependsOn: relink(r.dependsOn) };
      });
    const outside = source.options?.['outside'];
    const notes =
      outside === undefined
        ? []
        : [
            `Apps installed outside the project (${outside}) are not compared: no virtualenv was found (.venv, venv or VIRTUAL_ENV).`,
          ];
    return {
      ...buildGraph('django', source.locations, kept, problems, (id) => id.split('.')[0] ?? ''),
      notes,
      replaced: squashed,
    };
  },
  readApplied(db, tables, source): AppliedState {
    const recorded = readRecordedBy(db, 'django');
    if (recorded === null) {
      return { kind: 'unstamped', tables };
    }
    const apps = projectApps(source);
    // What it records as it is; which squash those rows stand for is decided against the graph (migration-status.ts).
    const ids = recorded.applied.map((m) => m.id).filter((id) => apps.has(id.split('.')[0] ?? ''));
    return {
      kind: 'stamped',
      recorded: ids,
      recordsPositionOnly: false,
      tables,
      failed: [],
      dirty: [],
      locked: false,
    };
  },
  isAhead,
  bookkeeping: 'the django_migrations table',
};
