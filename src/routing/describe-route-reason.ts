import type { RouteReason } from '../contract/index.js';

/**
 * The one sentence a route reason is told in: the `x-switchyard-route-reason` header and the
 * request log's `reason` column both come from here.
 */
export function describeRouteReason(reason: RouteReason): string {
  switch (reason.kind) {
    case 'default':
      return `No rule matched; routed to the default model ${reason.target}.`;
    case 'rule': {
      const why = reason.facts.length > 0 ? reason.facts.join(', ') : 'it matches every request';
      return `Routed to ${reason.target} by ${reason.rule}: ${why}.`;
    }
    case 'forced':
      switch (reason.by) {
        case 'model':
          return `The request named model '${reason.target}'.`;
        case 'alias':
          return `The request named model '${reason.target}' (alias '${reason.alias}').`;
        case 'metadata':
          return `The request forced route '${reason.target}' (metadata.route).`;
        case 'header':
          return `The request forced route '${reason.target}' (x-switchyard-route header).`;
      }
      break;
    case 'residency':
      return `The request contains PII (${reason.piiKinds.join(', ')}); residency keeps it on ${reason.to} instead of ${reason.from}.`;
    case 'rollout':
      return `Rolled out to ${reason.to} instead of ${reason.from}: rollout ${reason.id} holds ${Math.round(reason.share * 1000) / 10}% of its requests.`;
    case 'over-budget': {
      const whose = reason.scope.startsWith('key:')
        ? 'the key'
        : `tenant '${reason.scope.slice('tenant:'.length)}'`;
      return `The budget of ${whose} is spent; served by ${reason.to} instead of ${reason.from}.`;
    }
    case 'fallback':
      return `Fell back from ${reason.from} to ${reason.to}: ${reason.cause}.`;
    case 'escalated':
      return `Escalated from ${reason.from} to ${reason.to}: ${reason.detail}.`;
    case 'escalation-declined': {
      const failed = `${reason.from}'s answer failed its check (${reason.detail})`;
      const served = `served ${reason.from}'s answer.`;
      switch (reason.because) {
        case 'residency':
          return `${failed}, but residency keeps this request's PII off ${reason.to}; ${served}`;
        case 'target-failed-earlier':
          return `${failed}, but ${reason.to} already failed on this request; ${served}`;
        case 'escalation-failed':
          return `${failed} and escalation to ${reason.to} failed; ${served}`;
      }
    }
  }
}
