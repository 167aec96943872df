import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MigrationAdapter, MigrationSource } from './migration-adapter';
import type { AheadTest, AppliedState } from './migration-status';
import { assignedValue, stringLiterals } from './python-source';
import { buildGraph, type CodeGraph, type CodeRevision } from './revision-graph';

/**
 * Django: one chain per app (`<app>/migrations/0001_initial.py`), linked by each file's
 * `dependencies`, across apps too; `django_migrations` records every applied (app, name). Apps whose
 * migrations are not in the project (django.contrib.*, third-party packages) are left out on both
 * sides, so their rows never read as unknown revisions.
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
    if (!entry.isDirectory() || entry.name.startsWith('.') || ['node_modules', 'venv', '.venv', 'env', '__pycache__', 'site-packages'].includes(entry.name)) {
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

/** `dependencies = [('app', '0001_initial'), migrations.swappable_dependency(...)]` → app.name ids. */
function dependencies(source: string): string[] {
  const value = assignedValue(source.replace(/^\s+(?=dependencies\s*=)/m, ''), 'dependencies') ?? '';
  return [...value.matchAll(/\(\s*(['"])(\w+)\1\s*,\s*(['"])(\w+)\3\s*\)/g)].map((m) => `${m[2] ?? ''}.${m[4] ?? ''}`);
}

/** Tables `CreateModel` and `DeleteModel` make and remove (Django's default `<app>_<model>` names). */
function modelTables(app: string, source: string): { created: string[]; dropped: string[] } {
  const created = [...source.matchAll(/migrations\.CreateModel\(\s*name=['"](\w+)['"]([\s\S]*?)(?=migrations\.\w+\(|\]\s*$)/g)].map((m) => {
    const explicit = /['"]db_table['"]\s*:\s*['"](\w+)['"]/.exec(m[2] ?? '')?.[1];
    return explicit ?? `${app}_${(m[1] ?? '').toLowerCase()}`;
  });
  const dropped = [...source.matchAll(/migrations\.DeleteModel\(\s*name=['"](\w+)['"]/g)].map((m) => `${app}_${(m[1] ?? '').toLowerCase()}`);
  return { created, dropped };
}

function sourceFor(projectDir: string): MigrationSource | null {
  const folders = findMigrationFolders(projectDir);
  return folders.size === 0 ? null : { tool: 'django', locations: [...folders.values()].sort() };
}

/** The apps whose migrations the project has: rows of other apps are not the project's to judge. */
function projectApps(source: MigrationSource): Set<string> {
  return new Set(source.locations.map((dir) => path.basename(path.dirname(dir))));
}

const isAhead: AheadTest = (unknown, graph) =>
  unknown.every((id) => {
    const [app, name] = id.split('.');
    const numbers = graph.revisions.filter((r) => r.id.startsWith(`${app ?? ''}.`)).map((r) => Number(r.id.split('.')[1]?.slice(0, 4)));
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
    for (const dir of source.locations) {
      const app = path.basename(path.dirname(dir));
      for (const file of fs.readdirSync(dir).filter((f) => migrationFile.test(f)).sort()) {
        const text = fs.readFileSync(path.join(dir, file), 'utf8');
        if (!/class Migration\(/.test(text)) {
          problems.push(`${app}/migrations/${file}: no Migration class.`);
          continue;
        }
        const deps = dependencies(text);
        const tables = modelTables(app, text);
        const replaces = stringLiterals(assignedValue(text.replace(/^\s+(?=replaces\s*=)/m, ''), 'replaces'));
        if (replaces.length > 0) {
          problems.push(`${app}/migrations/${file}: squashed migrations are read as ordinary ones.`);
        }
        revisions.push({
          id: `${app}.${file.slice(0, -3)}`,
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
    return buildGraph('django', source.locations, revisions, problems, (id) => id.split('.')[0] ?? '');
  },
  recognizes(tables) {
    return tables.has('django_migrations');
  },
  readApplied(db, tables, source): AppliedState {
    if (!tables.includes('django_migrations')) {
      return { kind: 'unstamped', tables };
    }
    const apps = projectApps(source);
    const rows = db.prepare('SELECT app, name FROM django_migrations ORDER BY id').all() as { app: string; name: string }[];
    const recorded = rows.filter((r) => apps.has(r.app)).map((r) => `${r.app}.${r.name}`);
    return { kind: 'stamped', recorded, recordsPositionOnly: false, tables, failed: [], dirty: [], locked: false };
  },
  isAhead,
  bookkeeping: 'the django_migrations table',
};
