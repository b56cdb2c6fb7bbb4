import type { PiiKind, RequestFeatures } from './request-features.js';
import type { RouteReason } from './route-reason.js';

/** The escalation a decision allows: who answers first, and who may answer instead. */
export interface EscalationPlan {
  from: string;
  /** The escalation target, then its fallbacks, residency applied; empty when none may serve. */
  to: string[];
  /** The configured escalation target (named in reasons even when residency keeps it out). */
  target: string;
  /** Set when residency keeps the request off the escalation target. */
  blockedBy?: 'residency';
}

/**
 * Which configured model serves a request, and everything the router decided about it before any
 * model was called. Residency is applied here, once: every candidate below may see the request.
 */
export interface RouteDecision {
  /** The model name the client sent. */
  requested: string;
  /** The model the decision picked (the primary candidate). */
  target: string;
  reason: RouteReason;
  /** What decided: a rule's name (`rule <index>` when unnamed), `default`, `forced` or `residency`. */
  rule: string;
  /** True when the client chose the model (by name, alias, `metadata.route` or header). */
  forced: boolean;
  /** The target, then its fallbacks in order: the models this request may be served by. */
  candidates: string[];
  /** Present when the answer of `escalation.from` is to be checked. */
  escalation?: EscalationPlan;
  /** Kinds of PII found in the messages. */
  piiKinds: PiiKind[];
  /** True when the messages were scanned for PII (so an empty `piiKinds` means none). */
  piiScanned: boolean;
  /** True when residency binds this request to local models (fallbacks and escalation included). */
  localOnly: boolean;
  /** Present when the routing policy ran (requests for `auto`). */
  features?: RequestFeatures;
}
