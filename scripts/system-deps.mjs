/**
 * The Debian packages the tests need, installed on demand. As root it runs apt-get itself; as
 * anyone else it stops at once with the exact command to run. Used by `npm test`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's English asterisk prompts (asterisk-core-sounds-en-wav): one voice, 8 kHz WAV. */
export const ASTERISK_PROMPTS = '/usr/share/asterisk/sounds/en_US_f_Allison';
/** The prompts' texts ("vm-no: No."), from asterisk-core-sounds-en. */
export const ASTERISK_TEXTS = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';

/**
 * What each part of the suite needs: a file that proves it is there, and the package that brings
 * it. Each probe must be a path one of its packages ships (dpkg -S on the literal path finds it;
 * system-deps.test.mjs checks), not a link made by a maintainer script or another package.
 */
export const SYSTEM_NEEDS = [
  {
    why: 'end-to-end tests of the console (Chromium driven by playwright-core)',
    probe: '/usr/bin/chromium',
    packages: ['chromium'],
  },
  // Without a CJK font the Chinese screenshots show empty boxes (the text assertions pass either way).
  {
    why: 'Chinese text in console screenshots',
    probe: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
    packages: ['fonts-wqy-microhei'],
  },
  // The telephony test bed (test/telephony/): real SIP software on loopback, started by the tests.
  {
    why: 'telephony bed: SIP proxy and registrar (Kamailio)',
    probe: '/usr/sbin/kamailio',
    packages: ['kamailio'],
  },
  {
    why: 'telephony bed: WebSocket trunks for JsSIP (Kamailio websocket module)',
    probe: `/usr/lib/${multiarch()}/kamailio/modules/websocket.so`,
    packages: ['kamailio-websocket-modules'],
  },
  {
    why: 'telephony bed: media relay between WebRTC and plain RTP (rtpengine)',
    probe: '/usr/bin/rtpengine',
    packages: ['rtpengine-daemon'],
  },
  {
    why: 'telephony bed: customer phones (baresip)',
    probe: '/usr/bin/baresip',
    packages: ['baresip-core'],
  },
  {
    why: 'telephony bed: scripted far ends (sipp)',
    probe: '/usr/bin/sipp',
    packages: ['sip-tester'],
  },
  {
    why: 'telephony bed: spoken test clips (espeak-ng)',
    probe: '/usr/bin/espeak-ng',
    packages: ['espeak-ng'],
  },
  {
    why: 'telephony bed: converting clips and phone voices (sox)',
    probe: '/usr/bin/sox',
    packages: ['sox'],
  },
  // The shared store's tests start a throwaway cluster (test/support/postgres.ts). The probe is
  // the metapackage's own file: the server's binaries sit under a versioned folder.
  {
    why: 'PostgreSQL store backend: a throwaway cluster (initdb, pg_ctl)',
    probe: '/usr/share/doc/postgresql/copyright',
    packages: ['postgresql'],
  },
  // Real human telephone speech (one speaker, with texts) for the phrase recognizer's rejection test.
  // The tests read the voice's own folder: /usr/share/asterisk/sounds/en is an update-alternatives
  // link made by asterisk-core-sounds-en's postinst, owned by no package (dpkg -S finds nothing).
  {
    why: 'real speech in the recognizer tests (the prompts)',
    probe: `${ASTERISK_PROMPTS}/vm-no.wav`,
    packages: ['asterisk-core-sounds-en-wav'],
  },
  {
    why: 'real speech in the recognizer tests (what each prompt says)',
    probe: ASTERISK_TEXTS,
    packages: ['asterisk-core-sounds-en'],
  },
];

/**
 * What `npm run bench` needs beyond npm test's packages (installed by scripts/bench.mjs, not by
 * npm test): the held-out voices of the understanding benchmark (test/eval/audio/voices.ts),
 * speech engines and voices the phrase trainer never uses.
 */
export const BENCH_NEEDS = [
  {
    why: 'understanding bench: held-out English voices (Festival)',
    probe: '/usr/bin/festival',
    packages: ['festival'],
  },
  {
    why: 'understanding bench: held-out English voice kal (Festival diphone)',
    probe: '/usr/share/festival/voices/english/kal_diphone/festvox/kal_diphone.scm',
    packages: ['festvox-kallpc16k'],
  },
  {
    why: 'understanding bench: held-out English voice ked (Festival diphone)',
    probe: '/usr/share/festival/voices/english/ked_diphone/festvox/ked_diphone.scm',
    packages: ['festvox-kdlpc16k'],
  },
  {
    why: 'understanding bench: the SLT speaker through Festival HTS (same speaker as flite slt)',
    probe:
      '/usr/share/festival/voices/us/cmu_us_slt_arctic_hts/festvox/cmu_us_slt_arctic_clunits.scm',
    packages: ['festvox-us-slt-hts'],
  },
  {
    why: 'understanding bench: held-out Mandarin voice (eSpeak 1.48, the pre-NG eSpeak)',
    probe: '/usr/bin/espeak',
    packages: ['espeak'],
  },
  {
    why: 'early-media bench: real music on hold as negatives (Opsound, CC-BY-SA 3.0)',
    probe: '/usr/share/asterisk/moh/macroform-cold_day.wav',
    packages: ['asterisk-moh-opsound-wav'],
  },
  {
    why: 'AMD bench: real French IVR voice, tuning set (June Wallack, CC-BY-SA 3.0)',
    probe: '/usr/share/asterisk/sounds/fr_CA_f_June/vm-nobodyavail.wav',
    packages: ['asterisk-core-sounds-fr-wav'],
  },
  {
    why: 'AMD bench: real Italian IVR voice, tuning set (Carlo, CC-BY-SA 3.0)',
    probe: '/usr/share/asterisk/sounds/it_IT_m_Carlo/vm-nobodyavail.wav',
    packages: ['asterisk-core-sounds-it-wav'],
  },
  {
    why: 'AMD bench: real Russian IVR voice, held-out set (CC-BY-SA 3.0)',
    probe: '/usr/share/asterisk/sounds/ru_RU_f_IvrvoiceRU/vm-nobodyavail.wav',
    packages: ['asterisk-core-sounds-ru-wav'],
  },
  {
    why: 'AMD bench: real Italian IVR voice, held-out set (Menardi, CC-BY-SA 3.0 Italy)',
    probe: '/usr/share/asterisk/sounds/it_IT_f_Menardi/vm-nobodyavail.wav',
    packages: ['asterisk-prompt-it-menardi-wav'],
  },
];

/** Debian's multiarch directory name for this machine (where Kamailio's modules live). */
function multiarch() {
  return process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
}

export function missingPackages(needs = SYSTEM_NEEDS) {
  return [
    ...new Set(needs.filter((need) => !existsSync(need.probe)).flatMap((need) => need.packages)),
  ];
}

export function installCommand(packages) {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** Installs what is missing; returns null when all is there, or a message when it cannot. */
export function ensureSystemPackages(needs = SYSTEM_NEEDS, log = console.log) {
  const missing = missingPackages(needs);
  if (missing.length === 0) return null;
  const command = installCommand(missing);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasAptGet()) {
    return `Missing system packages: ${missing.join(', ')}.\nInstall them with:\n  sudo sh -c '${command}'\nthen run npm test again.`;
  }
  log(`Installing missing system packages: ${missing.join(', ')} (apt-get, as root)`);
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  if (update.status !== 0)
    return `apt-get update failed (exit ${update.status}); run it by hand:\n  ${command}`;
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (install.status !== 0)
    return `apt-get install failed (exit ${install.status}); run it by hand:\n  ${command}`;
  const still = missingPackages(needs);
  return still.length === 0 ? null : `Installed, but still missing: ${still.join(', ')}`;
}

function hasAptGet() {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
