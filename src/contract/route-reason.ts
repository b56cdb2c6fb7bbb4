/** Why a small model's answer failed its check (the escalation's trigger). */
export type EscalationReason =
  | 'empty'
  | 'invalid_tool_call'
  | 'invalid_json'
  | 'low_confidence'
  | `verifier:${'arithmetic' | 'answer-format' | 'hedging'}`;

/** How a client chose its model itself. */
export type ForcedBy = 'model' | 'alias' | 'metadata' | 'header';

/**
 * Why a request's answer came from where it came from, as data: the routing decision's reason
 * (`default`, `rule`, `forced`, `residency`), or what happened to it while it ran (`fallback`,
 * `escalated`, `escalation-declined`). One function renders it to the sentence of the
 * `x-switchyard-route-reason` header and of the request log, so the two cannot disagree.
 */
export type RouteReason =
  | { kind: 'default'; target: string }
  | {
      kind: 'rule';
      /** The rule's name, or `rule <index>` for an unnamed one. */
      rule: string;
      target: string;
      /** The facts of the request that matched the rule's conditions, in words. */
      facts: string[];
    }
  | { kind: 'forced'; target: string; by: ForcedBy; alias?: string }
  | { kind: 'residency'; from: string; to: string; piiKinds: string[] }
  /** A routed request moved to `to` by a gradual rollout holding `share` of `from`'s requests. */
  | { kind: 'rollout'; id: string; from: string; to: string; share: number }
  /** A keyed request whose budget is spent, served by the over-budget local model instead. */
  | { kind: 'over-budget'; from: string; to: string; scope: string }
  | {
      kind: 'fallback';
      from: string;
      to: string;
      /** The error code that moved the request on (`circuit_open` when the target was skipped). */
      cause: string;
    }
  | { kind: 'escalated'; from: string; to: string; why: EscalationReason; detail: string }
  | {
      kind: 'escalation-declined';
      from: string;
      to: string;
      why: EscalationReason;
      detail: string;
      /** Why the small model's answer stood although it failed its check. */
      because: 'residency' | 'target-failed-earlier' | 'escalation-failed';
    };

export type RouteReasonKind = RouteReason['kind'];
