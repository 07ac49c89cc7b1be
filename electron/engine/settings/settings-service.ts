/**
 * Settings: defaults from the contract, overridden by what is stored. A stored value that no longer
 * fits its schema (edited by hand, or from an older version) is reported and the default used; the
 * stored value is left alone until someone saves a new one, so nothing is lost silently.
 */
import { DEFAULT_SETTINGS, SETTING_KEYS, type Settings, SettingsSchema } from '../api/contract.js';
import { type Actor, writeAudit } from '../audit/index.js';
import type { Logger } from '../log.js';
import type { Json, Store } from '../store/types.js';

export class SettingsService {
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  async get(): Promise<Settings> {
    const stored = await this.store.settings.getAll();
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const key of SETTING_KEYS) {
      if (!Object.hasOwn(stored, key)) continue;
      const parsed = SettingsSchema.shape[key].safeParse(stored[key]);
      if (parsed.success) settings[key] = parsed.data;
      else
        this.log.warn(
          `Stored setting "${key}" is invalid (${parsed.error.issues[0]?.message ?? 'bad value'}); using the default`,
          { value: stored[key] },
        );
    }
    return SettingsSchema.parse(settings);
  }

  /** Writes the changed keys and an audit entry in one transaction; returns the new settings. */
  async update(changes: Partial<Settings>, actor: Actor): Promise<Settings> {
    const values: Record<string, Json> = {};
    for (const key of SETTING_KEYS) {
      const value = changes[key];
      if (value !== undefined) values[key] = value;
    }
    if (Object.keys(values).length > 0) {
      await this.store.transaction(async (tx) => {
        await tx.settings.setMany(values);
        await writeAudit(tx, actor, { action: 'settings.update', subject: null, details: values });
      });
    }
    return this.get();
  }
}
