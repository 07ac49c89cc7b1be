import { describe, expect, it } from 'vitest';

import { analyze, normalizeText } from './negation.js';

/** The analysis as one line: [cue], !negated, <idiom:class>, plain. */
function marks(text: string): string {
  return analyze(text)
    .tokens.map((t) =>
      t.cue
        ? `[${t.text}]`
        : t.kind === 'idiom'
          ? `<${t.text}:${t.idiom}>`
          : t.negated
            ? `!${t.text}`
            : t.text,
    )
    .join(' ');
}

describe('negation scope (English)', () => {
  it.each([
    ["I'm not going to be home", "i'm [not] !going !to !be !home"],
    ["I won't be there", "i [won't] !be !there"],
    ['I cannot come', 'i [cannot] !come'],
    ['nobody by that name', '[nobody] !by !that !name'],
    ['he no longer lives here', 'he [no] !longer !lives !here'],
    ['I never said that', 'i [never] !said !that'],
    ["I don't think I can make it", "i [don't] !think !i !can !make !it"],
  ])('%s', (text, expected) => {
    expect(marks(text)).toBe(expected);
    expect(analyze(text).negated).toBe(true);
  });

  it('ends the scope at punctuation and at but/and/so', () => {
    expect(marks("I can't today, but tomorrow works")).toBe("i [can't] !today but tomorrow works");
    expect(marks("no I won't be there but my wife will")).toBe(
      "[no] i [won't] !be !there but my wife will",
    );
    expect(marks('not now and call me later')).toBe('[not] !now and call me later');
  });

  it('reads a leading "no" before a new clause as an interjection, with an empty scope', () => {
    expect(marks("no that's wrong")).toBe("[no] that's wrong");
    expect(marks('no thanks')).toBe('[no] thanks');
    expect(analyze('no').negated).toBe(true);
    // …but "no" before a noun negates it.
    expect(marks('no one is home')).toBe('[no] !one !is !home');
    expect(marks('no more calls')).toBe('[no] !more !calls');
  });

  it('takes "no problem" and friends as positive fixed expressions, not negations', () => {
    for (const text of ['no problem', 'not a problem', 'no worries', 'not bad', 'why not']) {
      const a = analyze(text);
      expect(a.negated, text).toBe(false);
      expect(a.positive, text).toBe(true);
    }
  });

  it('keeps a yes-word outside the scope: "yes, I\'m not busy"', () => {
    const a = analyze("yes, I'm not busy");
    expect(marks("yes, I'm not busy")).toBe("yes i'm [not] !busy");
    expect(a).toMatchObject({ negated: true, positive: true });
  });
});

describe('negation scope (Mandarin)', () => {
  it.each([
    ['我不在家', '我 [不] !在 !家'],
    ['我没还', '我 [没] !还'],
    ['别打了', '[别] !打 了'],
    ['我不太方便', '我 [不] !太 !方 !便'],
    ['甭打了', '[甭] !打 了'],
    ['我未收到', '我 [未] !收 !到'],
    ['不用了', '[不] !用 了'],
    ['不要再打了', '[不] !要 !再 !打 了'],
  ])('%s', (text, expected) => {
    expect(marks(text)).toBe(expected);
    expect(analyze(text).negated).toBe(true);
  });

  it('ends the scope at punctuation, 但是/不过, a particle, a second-person pronoun or after four characters', () => {
    expect(marks('我不在家，明天再打')).toBe('我 [不] !在 !家 明 天 再 打');
    expect(marks('我不在家你明天再打吧')).toBe('我 [不] !在 !家 你 明 天 再 打 吧');
    expect(marks('今天不行但是明天可以')).toBe('今 天 [不] !行 但 是 明 天 可 以');
    expect(marks('我不想今天晚上还')).toBe('我 [不] !想 !今 !天 !晚 上 还');
  });

  it('takes 没问题, 不错, 不客气, 没事 as positive fixed expressions', () => {
    for (const text of ['没问题', '不错', '不客气', '没事，你说', '没毛病']) {
      const a = analyze(text);
      expect(a.negated, text).toBe(false);
      expect(a.positive, text).toBe(true);
    }
  });

  it('does not take A-not-A questions or words holding 不/别/未 for negations', () => {
    for (const text of [
      '是不是你们公司',
      '方不方便',
      '可不可以',
      '有没有人工',
      '别人的电话',
      '不好意思',
      '对不起',
      '未来',
    ]) {
      expect(analyze(text).negated, text).toBe(false);
    }
    expect(marks('能不能别打了')).toBe('<能不能:plain> [别] !打 了');
    expect(marks('不过我已经还了')).toBe('<不过:plain> 我 已 经 还 了');
  });

  it('keeps 对/好/你说 outside the scope as positive: 我不忙，你说吧', () => {
    expect(analyze('我不忙，你说吧')).toMatchObject({ negated: true, positive: true });
    expect(analyze('我不忙')).toMatchObject({ negated: true, positive: false });
  });
});

describe('hedges', () => {
  it.each([
    'maybe',
    'probably tomorrow',
    'I guess so',
    "I'm not sure",
    'I might be home',
    "I don't know",
    '可能明天还吧',
    '应该是吧',
    '大概下周',
    '也许吧',
    '再说吧',
    '看情况',
    '不一定',
    '说不定明天',
    '不知道',
  ])('%s is a hedge', (text) => {
    expect(analyze(text).hedged).toBe(true);
  });

  it('a hedge built from a cue is not a negation ("not sure", 不一定)', () => {
    for (const text of ["I'm not sure", '不一定', '不确定', '说不定']) {
      expect(analyze(text).negated, text).toBe(false);
    }
  });

  it('plain answers are not hedges', () => {
    for (const text of ['yes', "I'll be home", '我明天还', '再说一遍', '不在家']) {
      expect(analyze(text).hedged, text).toBe(false);
    }
  });
});

describe('double negatives that answer yes', () => {
  it.each([
    ["I won't miss it", 'i <not miss:pos> it'],
    ["I wouldn't miss it for the world", 'i <not miss:pos> it for the world'],
    ["I'm not going to miss it", "i'm <not miss:pos> it"],
    ["I haven't forgotten", 'i <not forget:pos>'],
    ["I'm not cancelling", "i'm <not cancel:pos>"],
    ["I won't be late", 'i <not late:pos>'],
    ["I can't miss it", 'i <not miss:pos> it'],
    ["I don't see why not", "i <don't see why not:pos>"],
    ["can't complain", "<can't complain:pos>"],
    ['never been better', '<never been better:pos>'],
  ])('%s', (text, expected) => {
    expect(marks(text)).toBe(expected);
    expect(analyze(text)).toMatchObject({ negated: false, positive: true });
  });

  it('keeps "can\'t miss work" and "don\'t want to miss school" negations', () => {
    expect(analyze("I can't miss work that day").negated).toBe(true);
    expect(analyze("I don't want to miss school").negated).toBe(true);
    expect(analyze("I can't miss my shift").negated).toBe(true);
  });

  it.each([
    ['不是不行', '<双重否定:pos> 行'],
    ['没说不要', '<双重否定:pos> 要'],
    ['我不会不在家', '我 <双重否定:pos> 在 家'],
    ['明天不会忘的', '明 天 <不会忘:pos> 的'],
    ['忘不了', '<忘不了:pos>'],
  ])('%s', (text, expected) => {
    expect(marks(text)).toBe(expected);
    expect(analyze(text)).toMatchObject({ negated: false, positive: true });
  });

  it('reads a repeated 不是不是 / 不会不会 as a plain no', () => {
    expect(analyze('不是不是').negated).toBe(true);
    expect(analyze('不会不会').negated).toBe(true);
  });

  it('reads 不是…吗 at the end as a rhetorical question, not a negation', () => {
    expect(marks('我不是还过了吗？')).toBe('我 <不是:plain> 还 过 了 吗');
    expect(analyze('不是已经还了吗').negated).toBe(false);
    expect(analyze('我不是他').negated).toBe(true);
    expect(analyze('不是').negated).toBe(true);
  });
});

describe('more positive fixed expressions', () => {
  it.each(['not wrong', 'you are not wrong', 'not too bad', 'I have no objection'])(
    '%s is positive, not negated',
    (text) => {
      expect(analyze(text)).toMatchObject({ negated: false, positive: true });
    },
  );
});

describe('thanks and apologies end a negation scope', () => {
  it.each([
    ['not for me thanks', '[not] !for !me thanks'],
    ['no need, thank you', '[no] !need thank you'],
    ["I can't sorry", "i [can't] sorry"],
    ['不需要谢谢', '[不] !需 !要 谢 谢'],
  ])('%s', (text, expected) => {
    expect(marks(text)).toBe(expected);
  });
});

describe('done or still to come (timeOf / Analysis.time)', () => {
  it.each([
    ['I already paid', { past: true, future: false }],
    ['I paid it last week', { past: true, future: false }],
    ["I'll pay tomorrow", { past: false, future: true }],
    ['call me back in two hours', { past: false, future: true }],
    ['on Monday', { past: false, future: false }],
    ['I already told you, call me later', { past: true, future: true }],
    ['我已经还了', { past: true, future: false }],
    ['我前天还的', { past: true, future: false }],
    ['明天就还', { past: false, future: true }],
    ['过两天还', { past: false, future: true }],
    ['周一', { past: false, future: false }],
    ['不过我明天还', { past: false, future: true }],
    // 了 before 就 is a condition still to be met: nothing is done yet.
    ['等我工资到账了就还', { past: false, future: true }],
    ['发了工资就还', { past: false, future: false }],
    ['等发工资了就还', { past: false, future: true }],
    // 一早就 is "first thing", not 早就 ("long ago").
    ['明天一早就还', { past: false, future: true }],
    ['我早就还了', { past: true, future: false }],
    // Before a day is a deadline still to come; 之前 alone is "earlier".
    ['周五之前还上', { past: false, future: true }],
    ['月底以前还', { past: false, future: true }],
    ['之前就还了', { past: true, future: false }],
  ])('%s', (text, expected) => {
    expect(analyze(text).time).toEqual(expected);
  });
});

describe('hedge words carry no answer of their own', () => {
  it.each([
    ['应该是', ['应', '该']],
    ['可能明天吧', ['可', '能']],
    ['probably not', ['probably']],
    ['I guess so', ['guess']],
    ['maybe tomorrow', ['maybe']],
  ])('%s: the hedge is a filler, the rest is not', (text, hedge) => {
    const a = analyze(text);
    expect(a.hedged).toBe(true);
    expect(a.tokens.filter((t) => t.filler).map((t) => t.text)).toEqual(hedge);
  });

  it('keeps a lone hedge as what was said', () => {
    expect(analyze('maybe').tokens.map((t) => t.filler)).toEqual([false]);
    expect(analyze('可能').tokens.map((t) => t.filler)).toEqual([false, false]);
  });
});

describe('doubt is never a yes', () => {
  it('reads "I doubt …" as a doubting hedge', () => {
    for (const text of ["I doubt I'll make it", 'I doubt it', 'doubt it']) {
      const a = analyze(text);
      expect(a.hedged, text).toBe(true);
      expect(a.doubt, text).toBe(true);
    }
    expect(analyze('no doubt').doubt).toBe(false);
  });
});

describe('keeping a booking is a double negative', () => {
  it.each([
    "don't change it",
    'no need to change anything',
    "I don't want to move it",
    "won't reschedule",
  ])('%s reads as one positive expression', (text) => {
    const a = analyze(text);
    expect(a.negated, text).toBe(false);
    expect(a.positive, text).toBe(true);
  });

  it.each(["I can't move it", 'never change', 'not move'])('%s stays a negation', (text) => {
    expect(analyze(text).negated, text).toBe(true);
  });
});

describe('a Mandarin scope reaches over 再, 给我, 跟我们 to the verb', () => {
  it.each([
    ['不要再给我打电话了', '[不] !要 !再 !给 !我 !打 !电 !话 了'],
    ['别再跟我们联系', '[别] !再 !跟 !我 !们 !联 !系'],
    ['不用再提醒我了', '[不] !用 !再 !提 !醒 !我 了'],
    ['没给我打过电话', '[没] !给 !我 !打 !过 !电 !话'],
  ])('%s', (text, expected) => {
    expect(marks(text)).toBe(expected);
  });

  it('still ends at a particle or punctuation', () => {
    expect(marks('别再打了，明天再说')).toBe('[别] !再 !打 了 明 天 再 说');
  });
});

describe('a denied obstacle is a yes', () => {
  it.each([
    "no reason I can't",
    "no reason why I can't",
    "I don't see any problem with that",
    "can't see any problem, I'll be there",
    'I see no problem',
  ])('%s is positive, not negated', (text) => {
    expect(analyze(text)).toMatchObject({ negated: false, positive: true });
  });

  it('"I can\'t see a way to make it" stays a negation', () => {
    expect(analyze("I can't see a way to make it").negated).toBe(true);
  });
});

describe('spelling variants: yes said as uh-huh, texting forms, Cantonese 咩', () => {
  it.each([
    ['uh-huh', 'yes'],
    ['mm-hmm', 'yes'],
    ['mhm', 'yes'],
    ['yess', 'yes'],
    ['yass', 'yes'],
    ['wat', 'what'],
    ['cal me latr', 'cal me later'],
    ['咩事', '什么事'],
    ['蛤？', '啊?'],
  ])('%s → %s', (text, expected) => {
    expect(normalizeText(text)).toBe(expected);
  });

  it('a lone "huh?" still asks to repeat (not a yes)', () => {
    expect(normalizeText('huh?')).toBe('huh?');
  });
});

describe('refusing the machine asks for a person', () => {
  it.each([
    "I don't want to talk to a robot",
    "I won't speak to a machine",
    'not a machine, a person please',
    "I don't want to do this with a bot",
  ])('%s is one fixed expression, no negation', (text) => {
    const a = analyze(text);
    expect(a.negated, text).toBe(false);
    expect(
      a.tokens.some((t) => t.kind === 'idiom' && t.text === 'no machine'),
      text,
    ).toBe(true);
  });

  it('"I don\'t want to talk to a person" stays a negation of talking to a person', () => {
    expect(marks("I don't want to talk to a person")).toBe(
      "i [don't] !want !to !talk !to !a !person",
    );
  });
});

describe('"I\'m not Alex": a name after "I\'m not" is the wrong person', () => {
  it.each([
    ["I'm not Alex", "i'm [not] !that !person"],
    ["this isn't Sarah", "this [isn't] !that !person"],
  ])('%s', (text, expected) => {
    expect(marks(text)).toBe(expected);
  });

  it.each(["I'm not Sure", "I'm not Interested", "I'm not alex"])(
    '%s keeps its words (no capitalised name, or a word that is none)',
    (text) => {
      expect(marks(text)).not.toContain('person');
    },
  );
});
