import type { JobProgress } from '../../contract/jobs';
import { say, terminalSafe } from './terminal-text';

/**
 * A one-line progress bar on a terminal's stderr (no bar when stderr is not a terminal or `showBar`
 * is off (--json), so logs and pipes stay clean; the app's command output is written either way).
 * Small enough that a dependency would not earn its place.
 */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly showBar: boolean;
  private drawn = false;

  constructor(showBar: boolean, stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.showBar = showBar;
  }

  update(progress: JobProgress): void {
    // What the app's commands print goes above the bar, and into logs when there is no terminal.
    if (progress.output !== undefined) {
      this.clear();
      say(this.stream, progress.output.map((line) => `${line}\n`).join(''));
    }
    if (!this.showBar || !this.stream.isTTY) {
      return;
    }
    const width = 30;
    const filled = Math.round(progress.fraction * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const percent = `${Math.floor(progress.fraction * 100)}`.padStart(3);
    const detail = progress.detail === undefined ? '' : ` ${progress.detail}`;
    const columns = this.stream.columns > 0 ? this.stream.columns : 80;
    const line = `${bar} ${percent}%  ${progress.phase}${detail}`.slice(0, Math.max(10, columns - 1));
    this.stream.write(`\r\x1b[2K${terminalSafe(line)}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) {
      this.stream.write('\r\x1b[2K');
      this.drawn = false;
    }
  }
}
