import { InvalidClient, InvalidRequest } from '../errors.ts';
import type { CheckContext } from '../authorize/context.ts';

/**
 * RFC 6749 §4.1.1 / §4.1.2.1: client_id is required and must name a client
 * of this tenant. Failing it, the error is shown to the user and never
 * redirected (there is no trusted redirection URI yet).
 */
export async function checkClientId(ctx: CheckContext, lookup: (clientId: string) => Promise<CheckContext['client']>): Promise<void> {
  const values = ctx.params.get('client_id') ?? [];
  if (values.length > 1) throw new InvalidRequest('the client_id parameter is repeated');
  const clientId = values[0];
  if (!clientId) throw new InvalidRequest('the client_id parameter is missing');
  const client = clientId.length <= 200 ? await lookup(clientId) : undefined;
  // Another tenant's client is as unknown here as a made-up id (tenant isolation, docs/security.md).
  if (!client || client.tenantId !== ctx.tenant.id) throw new InvalidClient('the client_id is not registered with this issuer', null);
  ctx.client = client;
  ctx.request.clientId = client.clientId;
}
