import { describe, expect, it } from 'vitest';

import { ApiError } from './contract.js';
import { errorField, fieldMessage, toApiError } from './errors.js';

describe('API error helpers', () => {
  const error = new ApiError(
    'INVALID_PARAMS',
    'settings.update: changes.ringTimeoutMs: Too big: expected number to be <=120000',
    'changes.ringTimeoutMs',
  );

  it('finds the form field inside the wrapper object', () => {
    expect(errorField(error, 'changes')).toBe('ringTimeoutMs');
    expect(errorField(new ApiError('INVALID_PARAMS', 'x', 'username'))).toBe('username');
    expect(errorField(new ApiError('CONFLICT', 'taken'))).toBeUndefined();
  });

  it('keeps only what the API says about the field', () => {
    expect(fieldMessage(error)).toBe('Too big: expected number to be <=120000');
    expect(fieldMessage(new ApiError('CONFLICT', 'Username "ann" is taken'))).toBe(
      'Username "ann" is taken',
    );
  });

  it('wraps foreign errors', () => {
    expect(toApiError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
  });
});
