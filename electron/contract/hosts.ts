import { z } from 'zod';
import { lifeboatErrorSchema } from './errors';

/**
 * Other machines whose apps this Lifeboat shows (the hub): each is reached with the user's own `ssh`,
 * where the Lifeboat installed there answers (`lifeboat rpc --stdio`). Their apps' ids are the host's
 * id, a slash, and the app's id there.
 */

/** How the user names a host: an alias of ~/.ssh/config, or user@host[:port]. Never an option for ssh. */
export const hostAddressSchema = z
  .string()
  .trim()
  .min(1, 'Enter an SSH alias from ~/.ssh/config, or user@host (":port" may follow).')
  .max(255)
  .regex(
    /^(?:[A-Za-z0-9._-]+@)?(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/,
    'an SSH alias or user@host[:port], with letters, digits, ".", "_" and "-" only',
  )
  .refine((address) => !address.startsWith('-'), 'may not begin with "-"');

/** The Lifeboat command on the host: words a shell splits, no shell syntax (no ; | & $ ` < > or quotes). */
export const hostCommandSchema = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  .regex(/^[A-Za-z0-9_./:=@%+,~ -]+$/, 'a command and its arguments, without shell syntax');

/** A host as kept in Lifeboat's settings. */
export const hostSchema = z.object({
  /** Short and unique: the first part of its apps' ids ("nas"). */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
  address: hostAddressSchema,
  /** The Lifeboat command there (default "lifeboat"). */
  command: hostCommandSchema.default('lifeboat'),
});
export type Host = z.infer<typeof hostSchema>;

/** How a host is doing, as the sidebar and the fleet view show it. */
export const hostStatusSchema = hostSchema.extend({
  state: z.enum(['connecting', 'online', 'unreachable']),
  /** Why it cannot be reached (HOST_UNREACHABLE, HOST_KEY_CHANGED, HOST_LIFEBOAT_MISSING, …). */
  error: lifeboatErrorSchema.nullable(),
  /** When it last answered (ISO time), null if never. */
  lastSeen: z.string().nullable(),
  /** The version of Lifeboat there, once known. */
  version: z.string().nullable(),
});
export type HostStatus = z.infer<typeof hostStatusSchema>;

/** The id of a host's app here: `<host id>/<app id there>`. */
export function hostAppId(hostId: string, appId: string): string {
  return `${hostId}/${appId}`;
}

/** The host and its app id of an app id here; null for an app of this computer. */
export function splitHostAppId(id: string): { readonly hostId: string; readonly appId: string } | null {
  const slash = id.indexOf('/');
  return slash <= 0 ? null : { hostId: id.slice(0, slash), appId: id.slice(slash + 1) };
}

/** What hub and host say to each other over `lifeboat rpc --stdio`, one JSON document per line. */
export const rpcRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  op: z.string().max(100),
  input: z.unknown(),
});
export type RpcRequest = z.infer<typeof rpcRequestSchema>;
/**
 * What the hub accepts from a host after its hello, checked before anything is used: an answer by
 * id (a result, as data) or an event. A host is another machine; anything else ends its connection.
 */
export const rpcHostMessageSchema = z.union([
  z.object({
    id: z.number().int().nonnegative(),
    result: z.union([
      z.object({ ok: z.literal(true), value: z.unknown() }),
      z.object({ ok: z.literal(false), error: lifeboatErrorSchema }),
    ]),
  }),
  z.object({ event: z.string().max(100), payload: z.unknown() }),
]);
export type RpcMessage =
  | { readonly hello: { readonly version: string; readonly protocol: number; readonly node: string } }
  | { readonly id: number; readonly result: unknown }
  | { readonly event: string; readonly payload: unknown };
