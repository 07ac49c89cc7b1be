/** The only two IPC channels the app uses; the preload and the main shell both import these. */
export const IPC_REQUEST_CHANNEL = 'outbound:request';
export const IPC_EVENT_CHANNEL = 'outbound:event';
