import { spawnSync } from 'node:child_process';

/** A network namespace joined to this one by a veth pair: a "second machine" at `address`. */
export interface NetworkNamespace {
  readonly name: string;
  /** The namespace's own address, reachable from here. */
  readonly address: string;
  remove(): void;
}

function ip(args: readonly string[]): string | null {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  return run.status === 0
    ? null
    : `ip ${args.join(' ')}: ${run.stderr.trim() || (run.error?.message ?? 'failed')}`;
}

/** Makes one (root, iproute2 and CAP_NET_ADMIN needed); the reason it could not, as a string. */
export function makeNetworkNamespace(): NetworkNamespace | string {
  const tag = (process.pid % 10000).toString();
  const name = `lifeboat-${tag}`;
  const outside = `lbo${tag}`;
  const inside = `lbi${tag}`;
  const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
  const steps: (readonly string[])[] = [
    ['netns', 'add', name],
    ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside],
    ['link', 'set', inside, 'netns', name],
    ['addr', 'add', `${subnet}.1/24`, 'dev', outside],
    ['link', 'set', outside, 'up'],
    ['-n', name, 'addr', 'add', `${subnet}.2/24`, 'dev', inside],
    ['-n', name, 'link', 'set', inside, 'up'],
    ['-n', name, 'link', 'set', 'lo', 'up'],
  ];
  const remove = (): void => {
    ip(['netns', 'del', name]);
    ip(['link', 'del', outside]);
  };
  for (const step of steps) {
    const failure = ip(step);
    if (failure !== null) {
      remove();
      return failure;
    }
  }
  return { name, address: `${subnet}.2`, remove };
}
