/** The two sample flows shipped with the app (raw JSON; pass through validateFlow before use). */
import appointmentEn from './appointment.en.json' with { type: 'json' };
import billReminderZh from './bill-reminder.zh-CN.json' with { type: 'json' };

/** Mandarin credit-card payment reminder (every node kind). */
export const BILL_REMINDER_ZH: unknown = billReminderZh;
/** English appointment confirmation (every node kind). */
export const APPOINTMENT_EN: unknown = appointmentEn;
export const SAMPLE_FLOWS: Readonly<Record<string, unknown>> = {
  'bill-reminder-zh': billReminderZh,
  'appointment-confirm-en': appointmentEn,
};
