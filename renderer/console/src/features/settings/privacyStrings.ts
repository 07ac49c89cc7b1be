/**
 * The Settings page's Privacy section (retention, purge, erasure, access export; issue 15 §4) in
 * both languages. `retentionFields*` spread into `settings.fields` and `privacy*` into `privacy`,
 * so the shared locale files gain one line each. zh must have exactly en's keys.
 */
export const retentionFieldsEn = {
  retentionRecordingsDays: {
    label: 'Keep recordings',
    help: 'Days a call’s recording is kept; the daily purge deletes older ones. Empty: keep forever.',
  },
  retentionTranscriptsDays: {
    label: 'Keep transcripts',
    help: 'Days a call’s transcript lines are kept. Empty: keep forever.',
  },
  retentionCallsDays: {
    label: 'Keep call records',
    help: 'Days a finished call’s record is kept, with its events, transcript and recording. Empty: keep forever.',
  },
  retentionContactsDays: {
    label: 'Keep contacts',
    help: 'Days a contact is kept after it was last changed or called, unless a campaign still has it. Empty: keep forever.',
  },
  retentionAuditDays: {
    label: 'Keep the audit trail',
    help: 'Days audit entries are kept: at least 365 (12 months).',
  },
};

export const retentionFieldsZh: typeof retentionFieldsEn = {
  retentionRecordingsDays: {
    label: '录音保存期限',
    help: '通话录音保存的天数，每日清理会删除更早的录音。留空：永久保存。',
  },
  retentionTranscriptsDays: {
    label: '转写保存期限',
    help: '通话转写文本保存的天数。留空：永久保存。',
  },
  retentionCallsDays: {
    label: '通话记录保存期限',
    help: '已结束通话的记录（含事件、转写和录音）保存的天数。留空：永久保存。',
  },
  retentionContactsDays: {
    label: '联系人保存期限',
    help: '联系人最后一次修改或呼叫后保存的天数（仍在外呼任务中的除外）。留空：永久保存。',
  },
  retentionAuditDays: {
    label: '审计日志保存期限',
    help: '审计记录保存的天数：至少 365 天（12 个月）。',
  },
};

export const privacyEn = {
  title: 'Privacy: retention and personal data requests',
  description:
    'How long personal data is kept, and the answers to a person’s request to see or erase their data (PIPL). See docs/PRIVACY.md.',
  days: 'days',
  forever: 'Empty keeps forever',
  saveRetention: 'Save retention',
  retentionSaved: 'Retention saved.',
  purge: {
    title: 'Purge',
    body: 'The purge runs every day and deletes what is past its retention. Run it now, or see first what it would delete.',
    now: 'Purge now',
    dryRun: 'What would it delete?',
    running: 'Purging…',
    last: 'Last purge: {{at}} ({{trigger}}, {{ms}} ms)',
    never: 'No purge has run yet.',
    next: 'Next daily purge: {{at}}',
    preview: 'A purge now would delete:',
    triggers: { daily: 'daily', startup: 'at start', manual: 'by hand' },
    kinds: {
      recordings: 'Recordings',
      recordingBytes: 'Recording bytes',
      transcripts: 'Transcript lines',
      calls: 'Call records',
      contacts: 'Contacts',
      audit: 'Audit entries',
    },
    errors: '{{count}} files could not be deleted; the next purge tries again.',
  },
  erase: {
    title: 'Erase a person’s data',
    body: 'Deletes every contact, call, transcript and recording with this number, anonymises the audit entries that mention it, and keeps it on the do-not-call list as a keyed hash only. This cannot be undone.',
    number: 'Number',
    confirm: 'Type the number again',
    submit: 'Erase',
    running: 'Erasing…',
    mismatch: 'The two numbers differ.',
    done: 'Erased (reference {{reference}}): {{contacts}} contacts, {{calls}} calls, {{recordings}} recordings, {{files}} files; {{audit}} audit entries anonymised.',
  },
  export: {
    title: 'Export a person’s data',
    body: 'A zip with the contacts, calls, transcripts, audit entries and recordings for this number, for a person’s access request. Audited.',
    number: 'Number',
    submit: 'Export',
    running: 'Exporting…',
    done: 'Exported {{calls}} calls and {{recordings}} recordings to {{file}}.',
  },
  erasedNumbers:
    'Numbers erased on request (kept as keyed hashes on the do-not-call list): {{count}}',
};

export const privacyZh: typeof privacyEn = {
  title: '个人信息：保存期限与个人请求',
  description:
    '个人信息保存多久，以及如何答复个人查阅或删除其信息的请求（《个人信息保护法》）。详见 docs/PRIVACY.md。',
  days: '天',
  forever: '留空表示永久保存',
  saveRetention: '保存期限设置',
  retentionSaved: '保存期限已保存。',
  purge: {
    title: '清理',
    body: '清理每天运行一次，删除超过保存期限的数据。可立即运行，或先查看将删除的内容。',
    now: '立即清理',
    dryRun: '将删除哪些？',
    running: '正在清理…',
    last: '上次清理：{{at}}（{{trigger}}，{{ms}} 毫秒）',
    never: '尚未运行过清理。',
    next: '下次每日清理：{{at}}',
    preview: '现在清理将删除：',
    triggers: { daily: '每日', startup: '启动时', manual: '手动' },
    kinds: {
      recordings: '录音',
      recordingBytes: '录音字节数',
      transcripts: '转写行',
      calls: '通话记录',
      contacts: '联系人',
      audit: '审计记录',
    },
    errors: '{{count}} 个文件未能删除，下次清理会重试。',
  },
  erase: {
    title: '删除某人的个人信息',
    body: '删除该号码的所有联系人、通话、转写和录音，匿名化提及该号码的审计记录，并仅以带密钥的哈希值保留在免打扰名单上。此操作无法撤销。',
    number: '号码',
    confirm: '再次输入号码',
    submit: '删除',
    running: '正在删除…',
    mismatch: '两次输入的号码不一致。',
    done: '已删除（编号 {{reference}}）：{{contacts}} 个联系人、{{calls}} 通通话、{{recordings}} 段录音、{{files}} 个文件；已匿名化 {{audit}} 条审计记录。',
  },
  export: {
    title: '导出某人的个人信息',
    body: '为个人查阅请求生成该号码的联系人、通话、转写、审计记录和录音的 zip 文件。此操作会记入审计日志。',
    number: '号码',
    submit: '导出',
    running: '正在导出…',
    done: '已导出 {{calls}} 通通话和 {{recordings}} 段录音到 {{file}}。',
  },
  erasedNumbers: '应请求删除的号码（仅以带密钥的哈希值保留在免打扰名单上）：{{count}}',
};
