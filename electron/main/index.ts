/**
 * The Electron shell: windows, permissions and IPC wiring only. Everything else is the engine
 * (electron/engine), which this file starts with the app's user-data folder.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';

import {
  createStderrLogger,
  Engine,
  EngineStartError,
  installFatalHandlers,
} from '../engine/index.js';
import { APP_SCHEME_PRIVILEGES, handleAppProtocol } from './app-protocol.js';
import { registerApiIpc } from './ipc.js';
import { createElectronMediaHostLauncher } from './media-host-window.js';
import { handleMediaProtocol, registerMediaScheme } from './media-protocol.js';
import { applyPermissionPolicy } from './permissions.js';
import { createSafeStorageSecretBox } from './safe-storage-secret-box.js';
import { devServerUrlFor, exactPageMatcher, pageUrl } from './shell-policy.js';
import { createConsoleWindow, rendererPaths } from './windows.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const rendererDir = join(outDir, 'renderer');
// The dev server only in an unpackaged app (a packaged one ignores the variable).
const devServerUrl = devServerUrlFor(app.isPackaged, process.env.ELECTRON_RENDERER_URL);
const paths = { ...rendererPaths(outDir), devServerUrl };
const consolePage = pageUrl('console', { rendererDir, devServerUrl });
const mediaHostPage = pageUrl('media-host', { rendererDir, devServerUrl });
// The API (requests and events) is the console's alone; the microphone is also the media host's.
const isConsolePage = exactPageMatcher([consolePage]);
const mayUseMicrophone = exactPageMatcher([consolePage, mediaHostPage]);
const log = createStderrLogger('outbound-desktop');
// An error that escapes everything ends live calls with a reason, finishes their recordings,
// closes the store and exits 1 (engine/fatal.ts; the engine registers itself when it starts).
installFatalHandlers({ log, where: 'desktop app', exit: (code) => app.exit(code) });

// The media host's WebRTC must offer real host addresses (a PBX cannot resolve mDNS names) and play
// audio without a user gesture (it is a hidden window).
app.commandLine.appendSwitch('disable-features', 'WebRtcHideLocalIpsWithMdns');
app.commandLine.appendSwitch('autoplay-policy', 'no-user-gesture-required');
// No app-wide SharedArrayBuffer switch: the media host's page comes from outbound-app://, whose
// COOP/COEP headers give that window alone SharedArrayBuffer (app-protocol.ts).

// Call recordings for History's player (outbound-media://recordings/<callId>) and the media
// host's page (outbound-app://app/…); privileged before ready, in Electron's one call.
registerMediaScheme([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = consoleWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  void app.whenReady().then(start);
}

/** The console windows (the hidden media host window is a window too, but not one of these). */
function consoleWindows(): BrowserWindow[] {
  return BrowserWindow.getAllWindows().filter(
    (window) => window.isVisible() || isConsolePage(window.webContents.getURL()),
  );
}

async function start(): Promise<void> {
  let engine: Engine;
  try {
    const secrets = createSafeStorageSecretBox() ?? undefined; // undefined: the engine uses its key file
    // Packaged, the models are extra resources beside the asar; from a checkout, found above out/.
    const modelsDir = app.isPackaged ? join(process.resourcesPath, 'native-models') : undefined;
    engine = await Engine.start({
      dataDir: app.getPath('userData'),
      transport: 'ipc',
      version: app.getVersion(),
      log,
      actor: 'desktop',
      // Holds the workspace: `outbound serve` (or a CLI command) on the same folder is refused, naming it.
      holder: 'the desktop app',
      secrets,
      trainFlowsAtStart: true,
      dialCampaigns: true,
      ...(modelsDir ? { modelsDir } : {}),
    });
  } catch (error) {
    const message = error instanceof EngineStartError ? error.message : String(error);
    dialog.showErrorBox('Outbound Console could not start', message);
    app.exit(1);
    return;
  }
  applyPermissionPolicy(session.defaultSession, mayUseMicrophone);
  // Served recordings are audited by the engine (recordings.fetch).
  handleMediaProtocol((mediaPath) => engine.mediaFile(mediaPath));
  handleAppProtocol(rendererDir);
  engine.telephony.setLauncher(createElectronMediaHostLauncher({ outDir, devServerUrl }), {
    warm: true,
  });
  const disposeIpc = registerApiIpc(ipcMain, {
    api: engine,
    isTrustedUrl: isConsolePage,
    // Every window is a candidate; registerApiIpc sends only to those showing the console page.
    targets: () => BrowserWindow.getAllWindows().map((window) => window.webContents),
  });
  createConsoleWindow(paths);

  app.on('activate', () => {
    if (consoleWindows().length === 0) createConsoleWindow(paths);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    disposeIpc();
    void engine.stop().finally(() => app.exit(0));
  });
}
