/**
 * Permission policy for every window: our own pages may use the microphone (agents talk through
 * it); everything else is refused. Without a handler Electron grants all permissions.
 */
import type { Session } from 'electron';

const ALLOWED = new Set(['media', 'speaker-selection']);

export function applyPermissionPolicy(
  session: Session,
  isTrustedUrl: (url: string) => boolean,
): void {
  session.setPermissionRequestHandler((webContents, permission, callback) => {
    callback(ALLOWED.has(permission) && isTrustedUrl(webContents.getURL()));
  });
  session.setPermissionCheckHandler((webContents, permission) => {
    return ALLOWED.has(permission) && webContents !== null && isTrustedUrl(webContents.getURL());
  });
}
