import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { commandHelp, commandTable } from '../cli/help';

/**
 * The README is read in five minutes and leads to every page of docs/; no link in them leads nowhere
 * (a page moved, a heading renamed). Read from the files themselves.
 */
const root = path.resolve(__dirname, '../../..');
const docsDir = path.join(root, 'docs');

const pages = (): string[] => [
  'README.md',
  ...fs
    .readdirSync(docsDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks, where `#` starts a comment, not a heading. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  return new Set([...prose(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] ?? '')));
}

/** Every relative link of a page: [text](target) with no scheme. */
function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target));
}

describe('the README and docs/', () => {
  it('the README fits in five minutes: under 300 lines', () => {
    const lines = fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').length;
    assert.ok(lines < 300, `README.md has ${lines} lines`);
  });

  it('the README links every page of docs/', () => {
    const linked = new Set(linksOf(fs.readFileSync(path.join(root, 'README.md'), 'utf8')));
    const missing = pages()
      .filter((p) => p.startsWith('docs/'))
      .filter((p) => !linked.has(p));
    assert.deepEqual(missing, []);
  });

  it('every relative link leads to a file, and its anchor to a heading there', () => {
    const broken: string[] = [];
    for (const page of pages()) {
      const text = fs.readFileSync(path.join(root, page), 'utf8');
      for (const link of linksOf(text)) {
        const [file = '', anchor] = link.split('#');
        const target = file === '' ? path.join(root, page) : path.resolve(root, path.dirname(page), file);
        if (!fs.existsSync(target)) {
          broken.push(`${page}: ${link} (no such file)`);
        } else if (anchor !== undefined && !anchorsOf(fs.readFileSync(target, 'utf8')).has(anchor)) {
          broken.push(`${page}: ${link} (no such heading)`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it("every command's help points to its own section of docs/cli.md", () => {
    const anchors = anchorsOf(fs.readFileSync(path.join(docsDir, 'cli.md'), 'utf8'));
    const missing = commandTable
      .map((command) => /More: docs\/cli\.md#(\S+)/.exec(commandHelp(command))?.[1] ?? command.name)
      .filter((anchor) => !anchors.has(anchor));
    assert.deepEqual(missing, []);
  });

  it('makes the anchors GitHub makes', () => {
    assert.equal(anchorOf('export, restore --to'), 'export-restore---to');
    assert.equal(
      anchorOf("Other machines' apps: hosts, the fleet, and `lifeboat --host`"),
      'other-machines-apps-hosts-the-fleet-and-lifeboat---host',
    );
  });
});
