import { describe, expect, it } from 'vitest';

import {
  decideChromiumSandbox,
  probeChromiumSandbox,
  type SandboxProbe,
} from './chromium-sandbox.js';

const linuxUser: SandboxProbe = {
  platform: 'linux',
  uid: 1000,
  userNamespaces: true,
  suidHelper: null,
  override: undefined,
};

describe('decideChromiumSandbox', () => {
  it('runs without the sandbox as root, and says why', () => {
    expect(decideChromiumSandbox({ ...linuxUser, uid: 0 })).toEqual({
      sandbox: false,
      reason: "running as root: Chromium's sandbox cannot run, started with --no-sandbox",
    });
    expect(decideChromiumSandbox({ ...linuxUser, uid: 0, platform: 'darwin' }).sandbox).toBe(false);
  });

  it('sandboxes a normal user with user namespaces or the setuid helper', () => {
    expect(decideChromiumSandbox(linuxUser)).toEqual({ sandbox: true, how: 'user namespaces' });
    expect(
      decideChromiumSandbox({
        ...linuxUser,
        userNamespaces: false,
        suidHelper: '/usr/lib/chromium/chrome-sandbox',
      }),
    ).toEqual({
      sandbox: true,
      how: 'the setuid sandbox helper /usr/lib/chromium/chrome-sandbox',
    });
  });

  it('runs without it when neither is there, naming what is missing', () => {
    const decision = decideChromiumSandbox({ ...linuxUser, userNamespaces: false });
    expect(decision.sandbox).toBe(false);
    if (decision.sandbox) return;
    expect(decision.reason).toMatch(/cannot create user namespaces and no setuid chrome-sandbox/);
  });

  it('tries the sandbox when namespaces could not be probed (the launcher falls back)', () => {
    expect(decideChromiumSandbox({ ...linuxUser, userNamespaces: null }).sandbox).toBe(true);
  });

  it('trusts macOS and Windows sandboxes, and obeys OUTBOUND_CHROMIUM_SANDBOX=0', () => {
    expect(decideChromiumSandbox({ ...linuxUser, platform: 'win32', uid: null }).sandbox).toBe(
      true,
    );
    expect(
      decideChromiumSandbox({ ...linuxUser, platform: 'darwin', userNamespaces: null }),
    ).toEqual({ sandbox: true, how: 'the darwin sandbox' });
    expect(decideChromiumSandbox({ ...linuxUser, override: '0' })).toMatchObject({
      sandbox: false,
      reason: expect.stringMatching(/OUTBOUND_CHROMIUM_SANDBOX=0/),
    });
  });
});

describe('probeChromiumSandbox', () => {
  it('reads this system: uid, and no namespace probe for root', () => {
    const probe = probeChromiumSandbox('/usr/bin/chromium', {});
    expect(probe.platform).toBe(process.platform);
    expect(probe.uid).toBe(process.getuid?.() ?? null);
    if (probe.uid === 0) expect(probe.userNamespaces).toBeNull();
    expect(probe.override).toBeUndefined();
    expect(
      probeChromiumSandbox('/usr/bin/chromium', { OUTBOUND_CHROMIUM_SANDBOX: '0' }).override,
    ).toBe('0');
  });
});
