/**
 * Masking (issue 15 §1) in both languages: the Settings page's masking fields (`maskingFields*`,
 * spread into `settings.fields`) and the console's controls around masked values (`masking*`:
 * History's "Show" next to a masked value, the unmasked export option for admins). zh must have
 * exactly en's keys.
 */
export const maskingFieldsEn = {
  maskForAgent: {
    label: 'Agents see personal data masked',
    help: 'Numbers, names, ID and card numbers and e-mail addresses show as 138****5678 on the agent desk.',
  },
  maskForSupervisor: {
    label: 'Supervisors see personal data masked',
    help: 'On the Live wall and in History; a supervisor can show one field of one call, which is audited.',
  },
  maskForAdmin: {
    label: 'Admins see personal data masked',
    help: 'Admins too see masked values unless this is off; showing one field is audited.',
  },
  maskNames: {
    label: 'Mask contact names',
    help: 'Names keep their first and last character (张*丰, J**n S***h) wherever values are masked.',
  },
  maskAmounts: {
    label: 'Mask amounts of money',
    help: 'Amounts said or written (¥300, 三百块) are masked in transcripts too.',
  },
};

export const maskingFieldsZh: typeof maskingFieldsEn = {
  maskForAgent: {
    label: '坐席看到脱敏后的个人信息',
    help: '号码、姓名、身份证号、银行卡号和邮箱在坐席工作台显示为 138****5678 这样的形式。',
  },
  maskForSupervisor: {
    label: '班长看到脱敏后的个人信息',
    help: '在实时监控和通话记录中脱敏；班长可以查看某通电话的某一项原文，查看会记入审计日志。',
  },
  maskForAdmin: {
    label: '管理员看到脱敏后的个人信息',
    help: '关闭前管理员看到的也是脱敏后的内容；查看某一项原文会记入审计日志。',
  },
  maskNames: {
    label: '姓名脱敏',
    help: '在脱敏显示的地方，姓名只保留首尾字符（张*丰，J**n S***h）。',
  },
  maskAmounts: {
    label: '金额脱敏',
    help: '转写中说到或写出的金额（¥300、三百块）也脱敏显示。',
  },
};

export const maskingEn = {
  sectionTitle: 'Personal data masking',
  number: 'Number',
  show: 'Show',
  showLabel: 'Show the unmasked {{field}} (audited)',
  hide: 'Hide',
  unmaskFailed: 'Could not show the value',
  fields: { number: 'number', contactName: 'name', utterance: 'transcript line' },
  exportUnmasked: 'Export unmasked (admins only; audited)',
};

export const maskingZh: typeof maskingEn = {
  sectionTitle: '个人信息脱敏',
  number: '号码',
  show: '查看',
  showLabel: '查看未脱敏的{{field}}（记入审计）',
  hide: '隐藏',
  unmaskFailed: '无法显示原文',
  fields: { number: '号码', contactName: '姓名', utterance: '转写内容' },
  exportUnmasked: '导出未脱敏数据（仅管理员，记入审计）',
};
