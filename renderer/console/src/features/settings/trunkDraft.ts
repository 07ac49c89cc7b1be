/**
 * The Add trunk form keeps what the user typed as text; these pure functions turn it into
 * trunks.create's params (empty optional boxes are left out, not sent as "") and tell which form
 * field an API error is about.
 */
import type { CommandParams, TrunkRole, TrunkTransferMode } from '../../api/contract.js';

export const TRUNK_FORM_FIELDS = [
  'name',
  'uri',
  'domain',
  'username',
  'password',
  'register',
  'callerId',
  'maxConcurrentCalls',
  'role',
  'transferMode',
] as const;
export type TrunkFormField = (typeof TRUNK_FORM_FIELDS)[number];

export interface TrunkDraft {
  name: string;
  uri: string;
  domain: string;
  username: string;
  password: string;
  register: boolean;
  callerId: string;
  maxConcurrentCalls: string;
  role: TrunkRole;
  /** How a transfer to an agent on another seat goes on this trunk (bridge or REFER). */
  transferMode: TrunkTransferMode;
}

export const EMPTY_TRUNK_DRAFT: TrunkDraft = {
  name: '',
  uri: '',
  domain: '',
  username: '',
  password: '',
  register: false,
  callerId: '',
  maxConcurrentCalls: '30',
  role: 'primary',
  transferMode: 'bridge',
};

export type DraftResult =
  { ok: true; params: CommandParams<'trunks.create'> } | { ok: false; field: TrunkFormField };

/** trunks.create's params, or the field that holds no usable number. The engine validates the rest. */
export function toCreateParams(draft: TrunkDraft): DraftResult {
  const maxText = draft.maxConcurrentCalls.trim();
  if (!/^\d+$/.test(maxText)) return { ok: false, field: 'maxConcurrentCalls' };
  const params: CommandParams<'trunks.create'> = {
    name: draft.name,
    uri: draft.uri.trim(),
    domain: draft.domain.trim(),
    register: draft.register,
    maxConcurrentCalls: Number(maxText),
    role: draft.role,
    transferMode: draft.transferMode,
  };
  if (draft.username.trim() !== '') params.username = draft.username;
  // A password is taken exactly as typed; only a box left empty means "none".
  if (draft.password !== '') params.password = draft.password;
  if (draft.callerId.trim() !== '') params.callerId = draft.callerId;
  return { ok: true, params };
}

/** The form field an API error's field path points at (`changes.name` → name), or null. */
export function trunkFormFieldOf(field: string | undefined): TrunkFormField | null {
  const last = field?.split('.').at(-1);
  return (TRUNK_FORM_FIELDS as readonly (string | undefined)[]).includes(last)
    ? (last as TrunkFormField)
    : null;
}
