/** Creates the console window with the security settings the whole app relies on. */
import { join } from 'node:path';

import { BrowserWindow, shell } from 'electron';

export interface WindowPaths {
  preload: string;
  consoleHtml: string;
  /** Set by electron-vite in development. */
  devServerUrl: string | undefined;
}

export function createConsoleWindow(paths: WindowPaths): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 1024,
    minHeight: 680,
    show: false,
    title: 'Outbound Console',
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  // The console never navigates away or opens windows; links to the outside go to the browser.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  if (paths.devServerUrl)
    void window.loadURL(new URL('console/index.html', paths.devServerUrl).toString());
  else void window.loadFile(paths.consoleHtml);
  return window;
}

export function rendererPaths(outDir: string): Omit<WindowPaths, 'devServerUrl'> {
  return {
    preload: join(outDir, 'preload', 'index.cjs'),
    consoleHtml: join(outDir, 'renderer', 'console', 'index.html'),
  };
}
