import { failed, ok, type Result } from '../../contract/errors';
import { operationInputs, type OperationName } from '../../contract/operations';
import { toLifeboatError } from '../lifeboat-failure';
import type { LifeboatService } from './lifeboat-service';

function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(operationInputs, name);
}

/**
 * The one generic binding of the contract to core, used by the Electron main process (after its
 * sender check) and by the web host (after its token check): validate the payload against the
 * operation's schema, then call core. Every outcome comes back as data.
 */
export async function dispatch(
  service: LifeboatService,
  name: string,
  payload: unknown,
): Promise<Result<unknown>> {
  if (!isOperationName(name)) {
    return failed({ code: 'INVALID_ARGUMENT', message: `Unknown operation "${name}".` });
  }
  const parsed = operationInputs[name].safeParse(payload ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`)
      .join('; ');
    return failed({ code: 'INVALID_ARGUMENT', message: `Invalid request for ${name}: ${detail}` });
  }
  try {
    const routed = service.route(name, parsed.data);
    if (routed !== null) {
      return ok(await routed);
    }
    const handler = service.handlers[name] as (input: unknown) => Promise<unknown>;
    return ok(await handler(parsed.data));
  } catch (error) {
    return failed(toLifeboatError(error));
  }
}
