/**
 * Everyday sentences a customer might say, one per phone, for the tests and benches that place
 * many calls at once (calls-concurrent, the media-link bench): distinct, so each call's audio can
 * be told apart by correlation.
 */
export const CUSTOMER_SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Please call me back tomorrow afternoon.',
  'I would like to speak to a real person now.',
  'My account number is seven seven four two.',
  'Yes, that works fine for me, thank you.',
  'No, I already paid that invoice on Monday.',
  'Could you repeat that a little more slowly?',
  'We moved to a new address in March.',
  'Sorry, I cannot talk right now, I am driving.',
  'Is this about the appointment on Friday?',
  'Seven hundred and fifty dollars exactly.',
  'Remove my number from your list, please.',
  'The weather has been terrible all week.',
  'I think there is a mistake on my bill.',
  'Hello? Hello? Can you hear me at all?',
  'My daughter usually handles these things.',
  'Send the details to my email instead.',
  'What time does your office open tomorrow?',
  'I never ordered anything from your company.',
  'Alright, go ahead and book it for Tuesday.',
  'I have been a customer for eleven years.',
  'Can you send someone on Thursday morning?',
  'That number is not mine, wrong person.',
  'Let me get a pen and write that down.',
  'How much would the whole thing cost me?',
] as const;
