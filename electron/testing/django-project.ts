import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A real Django project made and migrated by Debian's python3-django. */
export class DjangoProject {
  readonly dir: string;
  readonly databasePath: string;

  constructor(dir: string) {
    this.dir = dir;
    this.databasePath = path.join(dir, 'db.sqlite3');
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('/usr/bin/python3', ['-m', 'django', 'startproject', 'site_config', '.'], {
      cwd: dir,
      stdio: 'pipe',
    });
  }

  manage(...args: string[]): string {
    return execFileSync('/usr/bin/python3', ['manage.py', ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** A virtualenv in `.venv` that sees Debian's Django (`--system-site-packages`); returns its folder. */
  makeVirtualenv(): string {
    const venv = path.join(this.dir, '.venv');
    execFileSync('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', venv], { stdio: 'pipe' });
    return venv;
  }

  /** `startapp NAME` and adds it to INSTALLED_APPS. */
  addApp(name: string): void {
    this.manage('startapp', name);
    const settings = path.join(this.dir, 'site_config', 'settings.py');
    fs.writeFileSync(
      settings,
      fs.readFileSync(settings, 'utf8').replace('INSTALLED_APPS = [', `INSTALLED_APPS = [\n    '${name}',`),
    );
  }

  writeModels(app: string, source: string): void {
    fs.writeFileSync(path.join(this.dir, app, 'models.py'), `from django.db import models\n\n${source}`);
  }

  /** `showmigrations` for the given apps: app.name ids, applied or not. */
  showMigrations(apps: string[]): { applied: string[]; pending: string[] } {
    const applied: string[] = [];
    const pending: string[] = [];
    let app = '';
    for (const line of this.manage('showmigrations', ...apps).split('\n')) {
      const header = /^(\w+)$/.exec(line);
      const entry = /^\s*\[([ X])\] (\w+)/.exec(line);
      if (header?.[1] !== undefined) {
        app = header[1];
      } else if (entry?.[2] !== undefined) {
        (entry[1] === 'X' ? applied : pending).push(`${app}.${entry[2]}`);
      }
    }
    return { applied, pending };
  }
}
