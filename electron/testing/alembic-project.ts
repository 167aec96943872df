import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A real Alembic project, made and driven by Debian's python3-alembic (`/usr/bin/python3 -m
 * alembic`), so the tests compare Lifeboat's reading with Alembic's own answers.
 */
export class AlembicProject {
  readonly dir: string;
  readonly databasePath: string;

  constructor(dir: string) {
    this.dir = dir;
    this.databasePath = path.join(dir, 'app.db');
    fs.mkdirSync(dir, { recursive: true });
    this.alembic('init', 'alembic');
    const ini = path.join(dir, 'alembic.ini');
    fs.writeFileSync(
      ini,
      fs.readFileSync(ini, 'utf8').replace(/^sqlalchemy\.url = .*$/m, 'sqlalchemy.url = sqlite:///app.db'),
    );
  }

  /** Runs alembic in the project folder and returns what it printed. */
  alembic(...args: string[]): string {
    return execFileSync('/usr/bin/python3', ['-m', 'alembic', ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** `alembic revision`; the upgrade creates `table` (if given). Returns the new revision id. */
  revision(message: string, options: { table?: string; extra?: string[] } = {}): string {
    const output = this.alembic('revision', '-m', message, ...(options.extra ?? []));
    const file = /Generating (.+\.py)/.exec(output)?.[1];
    if (file === undefined) {
      throw new Error(`alembic revision printed no file: ${output}`);
    }
    if (options.table !== undefined) {
      const body = `op.create_table('${options.table}', sa.Column('id', sa.Integer, primary_key=True))`;
      const text = fs
        .readFileSync(file.trim(), 'utf8')
        .replace(/def upgrade\(\) -> None:\n {4}pass/, `def upgrade() -> None:\n    ${body}`)
        .replace(
          /def downgrade\(\) -> None:\n {4}pass/,
          `def downgrade() -> None:\n    op.drop_table('${options.table}')`,
        );
      fs.writeFileSync(file.trim(), text);
    }
    return /^revision = '(\w+)'/m.exec(fs.readFileSync(file.trim(), 'utf8'))?.[1] ?? '';
  }

  /** The revision ids in Alembic's answer (`alembic current`, `alembic heads`). */
  ids(...args: string[]): string[] {
    return [...this.alembic(...args).matchAll(/^(\w{12})\b/gm)].map((m) => m[1] ?? '').sort();
  }
}
