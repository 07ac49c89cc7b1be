/**
 * The Electron shell: windows, permissions and IPC wiring only. Everything else is the engine
 * (electron/engine), which this file starts with the app's user-data folder.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';

import { resolveMediaPath } from '../engine/calls/index.js';
import {
  createStderrLogger,
  Engine,
  EngineStartError,
  installFatalHandlers,
} from '../engine/index.js';
import { registerApiIpc, trustedUrlMatcher } from './ipc.js';
import { createElectronMediaHostLauncher } from './media-host-window.js';
import { handleMediaProtocol, registerMediaScheme } from './media-protocol.js';
import { applyPermissionPolicy } from './permissions.js';
import { createSafeStorageSecretBox } from './safe-storage-secret-box.js';
import { createConsoleWindow, rendererPaths } from './windows.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const paths = { ...rendererPaths(outDir), devServerUrl: process.env.ELECTRON_RENDERER_URL };
const isTrustedUrl = trustedUrlMatcher(
  pathToFileURL(join(outDir, 'renderer')).toString(),
  paths.devServerUrl,
);
const log = createStderrLogger('outbound-desktop');
// An error that escapes everything ends live calls with a reason, finishes their recordings,
// closes the store and exits 1 (engine/fatal.ts; the engine registers itself when it starts).
installFatalHandlers({ log, where: 'desktop app', exit: (code) => app.exit(code) });

// The media host's WebRTC must offer real host addresses (a PBX cannot resolve mDNS names) and play
// audio without a user gesture (it is a hidden window).
app.commandLine.appendSwitch('disable-features', 'WebRtcHideLocalIpsWithMdns');
app.commandLine.appendSwitch('autoplay-policy', 'no-user-gesture-required');
// The media host moves audio through SharedArrayBuffers; its file:// page is not cross-origin isolated.
app.commandLine.appendSwitch('enable-features', 'SharedArrayBuffer');

// Call recordings for History's player (outbound-media://recordings/<callId>); privileged before ready.
registerMediaScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  void app.whenReady().then(start);
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
  applyPermissionPolicy(session.defaultSession, isTrustedUrl);
  handleMediaProtocol((mediaPath) => resolveMediaPath(engine.store, engine.dataDir, mediaPath));
  engine.telephony.setLauncher(
    createElectronMediaHostLauncher({ outDir, devServerUrl: paths.devServerUrl }),
    { warm: true },
  );
  const disposeIpc = registerApiIpc(ipcMain, {
    api: engine,
    isTrustedUrl,
    targets: () => BrowserWindow.getAllWindows().map((window) => window.webContents),
  });
  createConsoleWindow(paths);

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createConsoleWindow(paths);
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
