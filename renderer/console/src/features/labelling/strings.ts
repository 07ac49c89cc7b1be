/**
 * The labelling loop's text in both languages (History's one-click labels, the Flows page's
 * labelled clips and accuracy before/after), spread into the locale files under `labelling` so
 * the shared locale files only gain one line each. zh must have exactly en's keys.
 */
export const labellingEn = {
  meant: 'Really meant:',
  group: 'What this answer really meant',
  none: 'none of these',
  labelled: 'Labelled “{{intent}}”',
  labelTitle: 'Label this answer “{{intent}}”: its clip joins the question’s training recordings',
  labelFailed: 'The label was not saved',
  panel: {
    title: 'Labelled answers from History',
    empty: 'No answers labelled yet: label customers’ answers on a call’s page in History.',
    count: '{{count}} labelled clips, {{pending}} not yet in version {{version}}',
    apply: 'Train a new version with them',
    applying: 'Saving…',
    applied: 'Version {{version}} saved with {{clips}} labelled clips; it is training.',
    unchanged: 'Version {{version}} already trains with every labelled clip.',
    skipped: 'Left out: {{clipPath}} ({{reason}})',
    applyFailed: 'The new version was not saved',
    accuracy: 'Accuracy on the labelled clips',
    running: 'Recognizing the labelled clips…',
    failed: 'Could not recognize the labelled clips: {{error}}',
    before: 'Before (version {{version}})',
    after: 'After (version {{version}})',
    noBefore: 'No earlier version',
    value: '{{percent}} ({{correct}} of {{total}})',
    clips: 'Labelled clips',
    columns: {
      node: 'Question',
      expected: 'Labelled',
      before: 'Before',
      after: 'After',
    },
    heard: '{{intent}} ({{confidence}})',
  },
};

export const labellingZh: typeof labellingEn = {
  meant: '实际意思：',
  group: '这句回答的实际意思',
  none: '都不是',
  labelled: '已标注为“{{intent}}”',
  labelTitle: '把这句回答标注为“{{intent}}”：录音片段加入该问题的训练录音',
  labelFailed: '标注未保存',
  panel: {
    title: '来自通话记录的标注回答',
    empty: '还没有标注的回答：在通话记录的通话页面上标注客户的回答。',
    count: '已标注 {{count}} 个片段，其中 {{pending}} 个尚未加入版本 {{version}}',
    apply: '用这些片段训练新版本',
    applying: '正在保存…',
    applied: '已保存版本 {{version}}，含 {{clips}} 个标注片段，正在训练。',
    unchanged: '版本 {{version}} 已包含所有标注片段。',
    skipped: '未加入：{{clipPath}}（{{reason}}）',
    applyFailed: '新版本未保存',
    accuracy: '标注片段上的准确率',
    running: '正在识别标注片段…',
    failed: '无法识别标注片段：{{error}}',
    before: '之前（版本 {{version}}）',
    after: '之后（版本 {{version}}）',
    noBefore: '没有更早的版本',
    value: '{{percent}}（{{total}} 个中 {{correct}} 个）',
    clips: '标注片段',
    columns: {
      node: '问题',
      expected: '标注',
      before: '之前',
      after: '之后',
    },
    heard: '{{intent}}（{{confidence}}）',
  },
};
