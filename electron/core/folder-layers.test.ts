import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

/**
 * The folders of electron/ form layers, and so do those of renderer/src/: no two folders import each
 * other, directly or around a circle (tests and test fixtures, which sit above everything, aside).
 * Read from the sources.
 */
const repoDir = path.resolve(__dirname, '../../..');
const electronDir = path.join(repoDir, 'electron');
const rendererDir = path.join(repoDir, 'renderer', 'src');
/** The renderer's alias for the contract (package.json's "imports"). */
const contractAlias = '#contract/';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'testing' ? [] : sourceFiles(full);
    }
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** The file an import names: relative to the importing folder, or through the contract's alias. */
function importedFile(from: string, specifier: string): string {
  return specifier.startsWith(contractAlias)
    ? path.join(electronDir, 'contract', specifier.slice(contractAlias.length))
    : path.resolve(from, specifier);
}

/** Folder → the folders its files import (relative and aliased imports), with one file that does it. */
function folderImports(root: string): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(root)) {
    const from = path.dirname(file);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/from '(\.[^']*|#contract\/[^']*)'/g)) {
      const to = path.dirname(importedFile(from, match[1] ?? ''));
      if (to !== from) {
        const edges = graph.get(from) ?? new Map<string, string>();
        edges.set(to, path.relative(root, file));
        graph.set(from, edges);
      }
    }
  }
  return graph;
}

/** A circle of folders, each step with the file that makes it, or null when there is none. */
function findCircle(graph: Map<string, Map<string, string>>, root: string): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (folder: string): string[] | null => {
    state.set(folder, 'open');
    trail.push(folder);
    for (const next of graph.get(folder)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const circle = [...trail.slice(trail.indexOf(next)), next];
        const name = (f: string): string => path.relative(root, f) || '.';
        return circle.map((f, i) => {
          const to = circle[i + 1];
          return to === undefined ? name(f) : `${name(f)} (${graph.get(f)?.get(to) ?? ''})`;
        });
      }
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found !== null) {
          return found;
        }
      }
    }
    trail.pop();
    state.set(folder, 'done');
    return null;
  };
  for (const folder of graph.keys()) {
    if (state.get(folder) === undefined) {
      const found = visit(folder);
      if (found !== null) {
        return found;
      }
    }
  }
  return null;
}

function assertLayers(root: string): void {
  const graph = folderImports(root);
  assert.ok(graph.size > 10, 'the sources were found');
  const circle = findCircle(graph, root);
  assert.equal(circle, null, `a circle of folder imports: ${circle?.join(' → ') ?? ''}`);
}

describe('the folders of electron/ and renderer/src/', () => {
  it('import each other in layers, never around a circle (electron/)', () => {
    assertLayers(electronDir);
  });

  it('import each other in layers, never around a circle (renderer/src/)', () => {
    assertLayers(rendererDir);
  });

  it('would see a circle if there were one', () => {
    const a = path.join(electronDir, 'a');
    const b = path.join(electronDir, 'b');
    const circle = findCircle(
      new Map([
        [a, new Map([[b, 'a/x.ts']])],
        [b, new Map([[a, 'b/y.ts']])],
      ]),
      electronDir,
    );
    assert.deepEqual(circle, ['a (a/x.ts)', 'b (b/y.ts)', 'a']);
  });
});
