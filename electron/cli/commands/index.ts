import type { Command } from '../shared/command';
import { backup } from './backup';
import { check } from './check';
import { diff } from './diff';
import { drill } from './drill';
import { exportTable } from './export';
import { hosts } from './hosts';
import { info } from './info';
import { list } from './list';
import { migrate } from './migrate';
import { pin, remove, unpin } from './pin';
import { prune } from './prune';
import { push, remote } from './push';
import { restore } from './restore';
import { rpc } from './rpc';
import { runDue } from './run-due';
import { desktop, serve } from './serve';
import { status } from './status';
import { upgrade } from './upgrade';
import { verify } from './verify';
import { version } from './version';

/** Every command, in the order the overview lists them. */
export const commands: readonly Command[] = [
  backup,
  list,
  verify,
  info,
  check,
  status,
  migrate,
  restore,
  upgrade,
  pin,
  unpin,
  remove,
  prune,
  runDue,
  diff,
  exportTable,
  push,
  remote,
  drill,
  serve,
  desktop,
  hosts,
  rpc,
  version,
];
