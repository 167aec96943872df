import * as fs from 'node:fs';
import * as path from 'node:path';
import { neverAhead, type MigrationAdapter, type MigrationSource } from './migration-adapter';
import type { AppliedState } from './migration-status';
import { assignedValue, docstringTitle, stringLiterals, tableCalls } from './python-source';
import { readRecordedBy } from './recorded-migrations';
import { buildGraph, type CodeGraph, type CodeRevision } from './revision-graph';

/**
 * Alembic: `alembic.ini` (its `script_location` and `version_locations`), revision files with
 * `revision`, `down_revision` (None, a string, or a tuple for merges), `branch_labels` and
 * `depends_on`, the message and create date from the docstring; `alembic_version` may hold several
 * rows (several heads applied). Alembic records only where the database is; everything those
 * revisions stand on counts as applied.
 */

/** Reads `[alembic]` options from alembic.ini, with `%(here)s` resolved. */
function readIni(iniPath: string): Map<string, string> {
  const here = path.dirname(iniPath);
  const options = new Map<string, string>();
  let section = '';
  let lastKey: string | null = null;
  for (const rawLine of fs.readFileSync(iniPath, 'utf8').split(/\r?\n/)) {
    if (/^\s*[#;]/.test(rawLine) || rawLine.trim() === '') {
      lastKey = null;
      continue;
    }
    const header = /^\s*\[([^\]]+)\]/.exec(rawLine);
    if (header !== null) {
      section = header[1]?.trim() ?? '';
      lastKey = null;
      continue;
    }
    if (section !== 'alembic') {
      continue;
    }
    // configparser continues a value on indented lines.
    if (/^\s+\S/.test(rawLine) && lastKey !== null) {
      options.set(lastKey, `${options.get(lastKey) ?? ''}\n${rawLine.trim()}`);
      continue;
    }
    const pair = /^\s*([^=:]+?)\s*[=:]\s*(.*)$/.exec(rawLine);
    if (pair?.[1] !== undefined) {
      lastKey = pair[1].toLowerCase();
      // alembic.ini templates put comments after values ("version_path_separator = os  # Use os.pathsep").
      options.set(lastKey, (pair[2] ?? '').replace(/\s+#.*$/, '').trim());
    }
  }
  for (const [key, value] of options) {
    options.set(key, value.replaceAll('%(here)s', here));
  }
  return options;
}

function splitLocations(value: string, separator: string | undefined): string[] {
  const byOs = separator === 'os' ? path.delimiter : undefined;
  const named = new Map([
    ['space', ' '],
    ['newline', '\n'],
    [';', ';'],
    [':', ':'],
    [',', ','],
  ]);
  const sep = byOs ?? (separator === undefined ? undefined : named.get(separator));
  const parts = sep === undefined ? value.split(/[\s,]+/) : value.split(sep);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function sourceFromIni(iniPath: string): MigrationSource {
  const options = readIni(iniPath);
  const here = path.dirname(iniPath);
  const scriptLocation = path.resolve(here, options.get('script_location') ?? 'alembic');
  const versionLocations = options.get('version_locations');
  const locations =
    versionLocations === undefined || versionLocations === ''
      ? [path.join(scriptLocation, 'versions')]
      : splitLocations(versionLocations, options.get('version_path_separator')).map((p) =>
          path.resolve(here, p),
        );
  return {
    tool: 'alembic',
    locations,
    options: { recursive: options.get('recursive_version_locations') === 'true' ? 'true' : 'false' },
  };
}

function pythonFiles(dir: string, recursive: boolean): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        return recursive && entry.name !== '__pycache__' ? pythonFiles(full, true) : [];
      }
      return entry.name.endsWith('.py') && entry.name !== '__init__.py' ? [full] : [];
    })
    .sort();
}

interface ParsedAlembicFile {
  readonly revision: CodeRevision;
  readonly dependsOnRaw: readonly string[];
}

function parseRevisionFile(file: string, location: string): ParsedAlembicFile | string {
  const source = fs.readFileSync(file, 'utf8');
  const id = stringLiterals(assignedValue(source, 'revision'))[0];
  if (id === undefined) {
    return `${path.relative(location, file)}: no "revision = ..." line, so it is not an Alembic revision file.`;
  }
  // Only what upgrade() does: downgrade() drops what upgrade() creates.
  const upgrade = source.split(/^def downgrade\b/m)[0] ?? source;
  const tables = tableCalls(
    upgrade,
    /op\.create_table\(\s*['"]([\w.]+)['"]/g,
    /op\.drop_table\(\s*['"]([\w.]+)['"]/g,
  );
  return {
    revision: {
      id,
      parents: stringLiterals(assignedValue(source, 'down_revision')),
      dependsOn: [],
      branchLabels: stringLiterals(assignedValue(source, 'branch_labels')),
      message: docstringTitle(source),
      createdAt: /^Create Date:\s*(.+)$/m.exec(source)?.[1]?.trim() ?? null,
      file: path.relative(location, file),
      tablesCreated: tables.created,
      tablesDropped: tables.dropped,
    },
    dependsOnRaw: stringLiterals(assignedValue(source, 'depends_on')),
  };
}

export const alembicAdapter: MigrationAdapter = {
  tool: 'alembic',
  detect(appDir) {
    const ini = path.join(appDir, 'alembic.ini');
    return fs.existsSync(ini) ? sourceFromIni(ini) : null;
  },
  fromFolder(dir) {
    const ini = path.join(dir, 'alembic.ini');
    if (fs.existsSync(ini)) {
      return sourceFromIni(ini);
    }
    const versions = path.join(dir, 'versions');
    return { tool: 'alembic', locations: [fs.existsSync(versions) ? versions : dir] };
  },
  readGraph(source): CodeGraph {
    const recursive = source.options?.['recursive'] === 'true';
    const problems: string[] = [];
    const parsed: ParsedAlembicFile[] = [];
    for (const location of source.locations) {
      if (!fs.existsSync(location)) {
        problems.push(`${location}: the versions folder does not exist.`);
      }
      for (const file of pythonFiles(location, recursive)) {
        const result = parseRevisionFile(file, location);
        if (typeof result === 'string') {
          problems.push(result);
        } else {
          parsed.push(result);
        }
      }
    }
    // depends_on may name a branch label instead of a revision: it then means the labelled revision.
    const byLabel = new Map(
      parsed.flatMap((p) => p.revision.branchLabels.map((label) => [label, p.revision.id] as const)),
    );
    const revisions = parsed.map((p) => ({
      ...p.revision,
      dependsOn: p.dependsOnRaw.map((d) => byLabel.get(d) ?? d),
    }));
    return buildGraph('alembic', source.locations, revisions, problems);
  },
  readApplied(db, tables): AppliedState {
    const recorded = readRecordedBy(db, 'alembic');
    if (recorded === null) {
      return { kind: 'unstamped', tables };
    }
    return {
      kind: 'stamped',
      recorded: recorded.applied.map((m) => m.id),
      recordsPositionOnly: true,
      tables,
      failed: [],
      dirty: [],
      locked: false,
    };
  },
  isAhead: neverAhead,
  bookkeeping: 'an alembic_version table',
};
