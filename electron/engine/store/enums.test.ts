import { describe, expect, it } from 'vitest';

import { ENUMS } from './enums.js';

/**
 * Migration 1 builds its CHECK lists from these values. Databases already created keep the list
 * they were created with, so when this test fails because the contract changed, do not just update
 * the snapshot: pin migrations/001-initial.ts to the old list and add a migration that rebuilds the
 * affected table with the new one.
 */
describe('enumerated column values', () => {
  it('are the ones the released schema was written with', () => {
    expect(ENUMS).toEqual({
      callStates: [
        'queued',
        'dialing',
        'ringing',
        'answered',
        'bot',
        'transferring',
        'agent',
        'wrap_up',
        'done',
      ],
      callOutcomes: [
        'completed',
        'transferred',
        'busy',
        'no_answer',
        'failed',
        'machine',
        'abandoned',
        'invalid_number',
      ],
      speakers: ['customer', 'bot', 'agent', 'supervisor'],
      agentRoles: ['agent', 'supervisor', 'admin'],
      agentStatuses: ['available', 'offered', 'on_call', 'wrap_up', 'away', 'offline'],
      languages: ['zh-CN', 'en'],
      campaignStatuses: ['draft', 'running', 'paused', 'stopped', 'completed'],
      dialingModes: ['agentless', 'progressive', 'power', 'predictive', 'preview'],
      trunkRoles: ['primary', 'backup'],
      dispositionKinds: ['system', 'agent'],
    });
  });
});
