import type { RouteHeaders } from '../../../gateway/index.js';

/** Header values must be printable ASCII; reasons can quote client metadata. */
export function toHeaderValue(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** USD as the cost headers carry it: nano-dollar precision, `unknown` when a price is unknown. */
export function formatUsd(value: number | null): string {
  return value === null ? 'unknown' : value.toFixed(9).replace(/0+$/, '').replace(/\.$/, '.0');
}

/** The `x-switchyard-*` headers that say where an answer came from and why. */
export function convertRouteToHeaders(route: RouteHeaders): Record<string, string> {
  return {
    'x-switchyard-model': route.model,
    'x-switchyard-route': route.model,
    'x-switchyard-route-reason': toHeaderValue(route.reasonText),
    'x-switchyard-escalated': String(route.escalated),
  };
}
