import { expect, type Locator, type Page } from '@playwright/test';

/** The snapshot table's columns, in order (a cell's aria-colindex is its place here, from 1). */
const snapshotColumns = ['When', 'Label', 'Note', 'Size', 'Status', 'Last verified', 'Schema'] as const;
export type SnapshotColumn = (typeof snapshotColumns)[number];

/** The main window: first-run screen, sidebar, live-database card, snapshot table and dialogs. */
export class AppPage {
  readonly page: Page;
  readonly emptyState: Locator;
  readonly sidebar: Locator;
  readonly snapshotNow: Locator;
  readonly grid: Locator;
  readonly filter: Locator;
  readonly details: Locator;
  readonly dialog: Locator;
  readonly banner: Locator;

  constructor(page: Page) {
    this.page = page;
    this.emptyState = page.getByRole('heading', { name: /keeps your app's SQLite database safe/ });
    this.sidebar = page.getByRole('navigation', { name: 'Apps' });
    this.snapshotNow = page
      .getByRole('region', { name: 'Live database' })
      .getByRole('button', { name: 'Snapshot now' });
    this.grid = page.getByRole('grid', { name: /Snapshots/ });
    this.filter = page.getByRole('searchbox', { name: /Filter snapshots/ });
    this.details = page.getByRole('complementary');
    this.dialog = page.getByRole('dialog');
    this.banner = page.getByRole('alert');
  }

  /** The data rows of the snapshot table (without the header row). */
  rows(): Locator {
    return this.grid.getByRole('row').filter({ has: this.page.getByRole('gridcell') });
  }

  /** The rows whose label is `label` (the label cell reads "[Pinned] [Offsite: …] <label>"). */
  row(label: string): Locator {
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return this.rows().filter({
      has: this.page.getByRole('gridcell', {
        name: new RegExp(`^(Pinned ?)?(Offsite: [^;]*? hold it(; the last push failed)? ?)?${escaped}$`),
      }),
    });
  }

  /** A cell of the rows labelled `label`, by its column, to assert with toHaveText (whole words, not a substring). */
  cell(label: string, column: SnapshotColumn): Locator {
    return this.row(label).locator(
      `[role="gridcell"][aria-colindex="${snapshotColumns.indexOf(column) + 1}"]`,
    );
  }

  async addApp(databasePath: string): Promise<void> {
    const button = (await this.emptyState.isVisible())
      ? this.page.getByRole('button', { name: 'Add an app…' })
      : this.sidebar.getByRole('button', { name: '+ Add an app' });
    await button.click();
    await expect(this.dialog).toBeVisible();
    await this.dialog.getByLabel('Database file').fill(databasePath);
    await this.dialog.getByRole('button', { name: 'Add app' }).click();
    await expect(this.dialog).toBeHidden();
  }

  async openDemo(): Promise<void> {
    await this.page.getByRole('button', { name: 'Open the demo' }).click();
    await expect(this.sidebar.getByRole('button', { name: /Corner shop \(demo\)/ })).toBeVisible();
  }

  /** Fills in the snapshot dialog and starts it; returns the dialog for progress checks. */
  async startSnapshot(label: string, note = ''): Promise<Locator> {
    await this.snapshotNow.click();
    await expect(this.dialog).toBeVisible();
    await this.dialog.getByLabel('Label').fill(label);
    if (note !== '') {
      await this.dialog.getByLabel('Note (optional)').fill(note);
    }
    await this.dialog.getByRole('button', { name: 'Take snapshot' }).click();
    return this.dialog;
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `test-results/screenshots/${name}.png` });
  }
}
