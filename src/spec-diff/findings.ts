/** One difference between the base spec and the other spec. "removed" means only in base, "added" only in other. */

export type FindingKind =
  /** A path + method present on one side only. */
  | 'endpoint-added'
  | 'endpoint-removed'
  /** Same path, the one method differs on each side (e.g. GET on one, POST on the other). */
  | 'method-changed'
  | 'body-added'
  | 'body-removed'
  | 'body-required-changed'
  | 'response-added'
  | 'response-removed'
  | 'media-changed'
  /** Fields. */
  | 'added'
  | 'removed'
  | 'renamed'
  | 'type-changed'
  | 'shape-changed'
  | 'nullable-changed'
  | 'required-changed'
  /** The same pair of named schemas was already compared elsewhere; its differences are listed there. */
  | 'same-as'
  | 'unresolved';

export interface Finding {
  /** `POST /create`; `GET->POST /status` when the method differs. */
  endpoint: string;
  /** `request` or `response 200` (with ` text/plain` when several media types are compared); absent for endpoint-level findings. */
  part?: string;
  /** Field path from the body root as the base spells it: `.pod.spec.containers[].volumeMounts[]`; `` is the body itself. */
  path?: string;
  kind: FindingKind;
  from?: string;
  to?: string;
  detail?: string;
}
