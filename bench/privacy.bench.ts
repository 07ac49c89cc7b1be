/**
 * The cost of masking (issue 15 §1): every log line, every transcript line and every History
 * reply a masked role gets goes through the detectors (privacy/). Medians per call, and the
 * ratio of a masked calls.get view to handing the reply through unmasked.
 */
import { type CommandResult, DEFAULT_SETTINGS } from '../electron/engine/api/contract.js';
import { maskingPolicyOf, maskText, PrivacyView } from '../electron/engine/privacy/index.js';
import { type BenchSuite, ms, time } from './harness.js';

const SAMPLES = 5_000;

const LINES: Array<[string, string]> = [
  [
    'log line, nothing personal',
    'Command calls.list failed {"error":"SQLITE_BUSY: database is locked","ms":1523}',
  ],
  [
    'log line with a number',
    'A campaign call could not be placed {"campaign":"Renewals","number":"+8613812345678","error":"480 Temporarily Unavailable"}',
  ],
  [
    'transcript, zh, spoken digits',
    '好的，我的手机号是幺三八一二三四五六七八，卡号是六二二二零二一二三四五六七八九零一二八',
  ],
  [
    'transcript, en, spoken digits',
    'sure, it is one three eight double one two three four five six seven, thanks',
  ],
  [
    'transcript, ordinary sentence',
    'I would like to move the appointment to next Tuesday at 10:30 if that works for you',
  ],
];

function callDetail(lines: number): CommandResult<'calls.get'> {
  return {
    call: {
      id: 'c1',
      number: '+8613812345678',
      contactName: '张三丰',
      campaignId: 1,
      campaignName: 'Renewals',
      state: 'done',
      outcome: 'completed',
      disposition: null,
      sipCode: 200,
      startedAt: 1,
      answeredAt: 2,
      endedAt: 3,
      durationMs: 1,
    },
    events: Array.from({ length: lines * 3 }, (_, i) => ({
      at: i * 100,
      type: i % 3 === 0 ? 'intent' : 'speech_end',
      data: { nodeId: 'ask', intent: 'affirm', confidence: 0.9, startMs: i * 100 },
    })),
    transitions: [],
    utterances: Array.from({ length: lines }, (_, i) => ({
      speaker: i % 2 === 0 ? ('bot' as const) : ('customer' as const),
      text: i % 2 === 0 ? '请问您方便说一下您的手机号吗？' : (LINES[2]?.[1] ?? ''),
      intent: null,
      confidence: null,
      startMs: i * 1_000,
      endMs: i * 1_000 + 900,
      cutAtMs: null,
      nodeId: 'ask',
    })),
    recording: null,
  };
}

const suite: BenchSuite = {
  title: 'Masking',
  method: `\`maskText\` on single lines (${SAMPLES} runs each after a warm-up: a log line, transcripts in Chinese and English with digits said as words, an ordinary sentence), and the supervisor's masked view of a \`calls.get\` reply (50 transcript lines, 150 events) through \`PrivacyView.result\` (unmasked, the reply is handed through as it is).`,
  async run() {
    const rows = [];
    for (const [name, line] of LINES) {
      const t = await time(() => maskText(line), SAMPLES);
      rows.push({
        name,
        values: {
          median: ms(t.medianMs),
          p95: ms(t.p95Ms),
          'per second': `${Math.round(1_000 / t.medianMs).toLocaleString('en')}`,
        },
      });
    }
    const detail = callDetail(50);
    const masked = new PrivacyView(() => maskingPolicyOf(DEFAULT_SETTINGS));
    const viewer = { role: 'supervisor' as const, source: 'ws' as const };
    const m = await time(() => masked.result(viewer, 'calls.get', detail), 500);
    rows.push({
      name: 'calls.get view, 50 lines + 150 events',
      values: {
        median: ms(m.medianMs),
        p95: ms(m.p95Ms),
        'per second': `${Math.round(1_000 / m.medianMs).toLocaleString('en')}`,
      },
    });
    return rows;
  },
};

export default suite;
