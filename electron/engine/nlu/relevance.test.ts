import { describe, expect, it } from 'vitest';

import { offTopicTraining } from './common-answers.js';
import { extractEntities, withoutEntities } from './entities.js';
import { trainIntentClassifier } from './intents.js';
import { isClearlyOffTopic, offTopicBesideEntities } from './relevance.js';

const TIME = { reference: new Date('2026-03-03T09:00:00Z'), timeZone: 'UTC' };

const EN = trainIntentClassifier(
  {
    time: ['tomorrow', 'tomorrow morning', 'next week', 'this evening', 'on Monday', 'on Friday'],
    agent: ['talk to a person', 'can I speak to someone', 'operator'],
  },
  { offTopic: offTopicTraining() },
);
const ZH = trainIntentClassifier(
  {
    time: ['明天上午', '明天下午', '后天', '下周一', '今天晚上', '周末'],
    agent: ['转人工', '人工客服', '我要找人工'],
  },
  { offTopic: offTopicTraining() },
);

const offTopicBeside = (clf: typeof EN, text: string): boolean =>
  offTopicBesideEntities(clf, text, extractEntities(text, TIME));

describe('withoutEntities', () => {
  it('cuts the spans of the entities out of the text', () => {
    const text = 'my car broke down last week';
    expect(withoutEntities(text, extractEntities(text, TIME))).toBe('my car broke down');
    const zh = '下个月一号吧';
    expect(withoutEntities(zh, extractEntities(zh, TIME))).not.toContain('一号');
  });

  it('keeps a text without entities as it is', () => {
    expect(withoutEntities('hello there', extractEntities('hello there', TIME))).toBe(
      'hello there',
    );
  });
});

describe('does this answer the question? (an entity inside an off-topic sentence)', () => {
  it.each(['my car broke down last week', 'I planted tomatoes today'])(
    'English: "%s" answers no "when" question',
    (text) => {
      expect(extractEntities(text, TIME).dateTimes.length).toBeGreaterThan(0);
      expect(offTopicBeside(EN, text)).toBe(true);
    },
  );

  it.each([
    'in two weeks',
    'tonight at eight',
    'probably Wednesday',
    'the 3rd of March',
    'um, Saturday at 11',
    'tomorrow after work, say 6 pm',
  ])('English: "%s" is nothing but a time', (text) => {
    expect(offTopicBeside(EN, text)).toBe(false);
  });

  it.each(['下个月一号', '嗯，下午三点吧', '明天早上九点', '大后天'])(
    'Mandarin: "%s" is nothing but a time',
    (text) => {
      expect(offTopicBeside(ZH, text)).toBe(false);
    },
  );

  it('Mandarin: a date inside a sentence the off-topic class wins answers nothing', () => {
    const text = '我儿子下周三要去医院拔牙';
    expect(extractEntities(text, TIME).dateTimes.length).toBeGreaterThan(0);
    expect(isClearlyOffTopic(ZH.classify(text))).toBe(true);
    expect(offTopicBeside(ZH, text)).toBe(true);
  });

  it.each([
    "my daughter's wedding is next Saturday and I'm so stressed",
    "the Lakers game is Thursday at 7 so I'll be watching that",
  ])('English: "%s" speaks of something else (three words of its own, off-topic leads)', (text) => {
    expect(offTopicBeside(EN, text)).toBe(true);
  });

  it.each([
    "I'm not free until Friday, so Friday at 10",
    "Saturday at 10 if you're open",
    'I get off at 4 today so after that',
  ])('English: "%s" says when the customer is free', (text) => {
    expect(offTopicBeside(EN, text)).toBe(false);
  });

  it.each(['明天我儿子开家长会', '今天股市又跌了', '今天股市大跌', '晚上八点看春晚'])(
    'Mandarin: "%s" speaks of something else beside its time',
    (text) => {
      expect(offTopicBeside(ZH, text)).toBe(true);
    },
  );

  it.each([
    '明天下午去银行还',
    '等我下班，大概晚上六点',
    '不是明天，是周四',
    '后天吧',
    '最晚这个月25号',
  ])('Mandarin: "%s" answers when', (text) => {
    expect(offTopicBeside(ZH, text)).toBe(false);
  });

  it('isClearlyOffTopic needs the off-topic class to win, clearly', () => {
    expect(isClearlyOffTopic(EN.classify('tomorrow morning'))).toBe(false);
    expect(isClearlyOffTopic(EN.classify('the cat knocked over the vase'))).toBe(true);
  });
});
