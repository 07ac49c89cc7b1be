/**
 * Campaigns in the API (api/campaigns.ts): create / update / get / start / pause / resume / stop /
 * contacts, and the `campaign.updated` event (throttled per campaign) with its progress.
 *
 * Names in a config are checked against the store and a mistake names its field (`list`,
 * `flow.name`, `flow.version`, `trunks.1`). start pins the flow version (the one given, else the
 * latest saved) and adds the list's contacts; pause and stop end new dials, live calls finish;
 * the dialer marks a running campaign completed when no contact is left.
 */
import { AmdSettingsSchema, DEFAULT_AMD_SETTINGS } from '../api/amd.js';
import {
  type CampaignConfig,
  type CampaignContact,
  type CampaignDetail,
  type CampaignPacing,
  type CampaignProgress,
  type CampaignWait,
  PredictiveSettingsSchema,
} from '../api/campaigns.js';
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { type Actor, requestActor, writeAudit } from '../audit/index.js';
import type {
  CampaignRecord,
  DialingCampaignRecord,
  NewDialingCampaign,
  Store,
} from '../store/types.js';
import { CallingScheduleSchema, DEFAULT_RETRY_POLICY, RetryPolicySchema } from './policy.js';

export interface CampaignServiceOptions {
  store: Store;
  actor: Actor;
  now?: () => number;
  /** Emits `campaign.updated`. */
  emit(detail: CampaignDetail): void;
  /** A campaign was started or resumed: the dialer should look now. */
  onRunning?(campaignId: number): void;
  /** Why a running campaign is not dialed now (the dialer knows; none where nothing dials). */
  waiting?(campaignId: number): CampaignWait | null;
  /** A running predictive campaign's pacing (the dialer knows; none where nothing dials). */
  pacing?(campaignId: number): CampaignPacing | null;
  /** Minimum time between two `campaign.updated` events of one campaign. Default 250 ms (≤ 4/s). */
  throttleMs?: number;
}

type CampaignHandlers = Pick<
  CommandHandlers,
  | 'campaigns.create'
  | 'campaigns.update'
  | 'campaigns.get'
  | 'campaigns.start'
  | 'campaigns.pause'
  | 'campaigns.resume'
  | 'campaigns.stop'
  | 'campaigns.contacts'
>;

const invalid = (field: string, message: string): ApiError =>
  new ApiError('INVALID_PARAMS', `${field}: ${message}`, field);

export class CampaignService {
  private readonly store: Store;
  private readonly now: () => number;
  private readonly lastEmit = new Map<number, number>();
  /** How long the last progress of each campaign took to compute (a million contacts take a while). */
  private readonly computeMs = new Map<number, number>();
  private readonly pendingEmit = new Map<number, ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(private readonly options: CampaignServiceOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
  }

  handlers(): CampaignHandlers {
    return {
      'campaigns.create': async ({ name, ...config }, context) => {
        if (await this.store.campaigns.getByName(name))
          throw new ApiError('CONFLICT', `name: a campaign named "${name}" already exists`, 'name');
        const input = await this.resolve(name, config);
        const created = await this.store.transaction(async (tx) => {
          const campaign = await tx.campaignContacts.createCampaign(input);
          await writeAudit(tx, requestActor(context, this.options.actor), {
            action: 'campaigns.create',
            subject: name,
            details: {
              list: config.list,
              flow: config.flow?.name ?? null,
              trunks: config.trunks,
              mode: config.dialingMode,
            },
          });
          return campaign;
        });
        return this.detail(created);
      },
      'campaigns.update': async ({ name, changes }, context) => {
        const campaign = await this.require(name);
        if (campaign.status === 'running')
          throw new ApiError(
            'CONFLICT',
            `Campaign "${name}" is running: pause or stop it before changing it`,
          );
        const merged = { ...configOf(campaign), ...changes };
        const input = await this.resolve(name, merged);
        // A new flow (or a new pinned version) takes effect at the next start.
        const flowChanged = changes.flow !== undefined;
        const updated = await this.store.transaction(async (tx) => {
          const { name: _name, ...rest } = input;
          const record = await tx.campaignContacts.updateCampaign(
            campaign.id,
            flowChanged ? rest : { ...rest, flowVersion: campaign.flowVersion },
          );
          await writeAudit(tx, requestActor(context, this.options.actor), {
            action: 'campaigns.update',
            subject: name,
            details: { fields: Object.keys(changes) },
          });
          return record;
        });
        return this.publish(updated);
      },
      'campaigns.get': async ({ name }) => this.detail(await this.require(name)),
      'campaigns.start': async ({ name }, context) =>
        this.start(
          name,
          'campaigns.start',
          ['draft', 'paused', 'stopped', 'completed'],
          requestActor(context, this.options.actor),
        ),
      'campaigns.resume': async ({ name }, context) =>
        this.start(name, 'campaigns.resume', ['paused'], requestActor(context, this.options.actor)),
      'campaigns.pause': async ({ name }, context) =>
        this.setStatus(name, 'paused', ['running'], requestActor(context, this.options.actor)),
      'campaigns.stop': async ({ name }, context) =>
        this.setStatus(
          name,
          'stopped',
          ['running', 'paused'],
          requestActor(context, this.options.actor),
        ),
      'campaigns.contacts': async ({ name, status, search, limit, offset }) => {
        const campaign = await this.require(name);
        const page = await this.store.campaignContacts.contacts(campaign.id, {
          ...(status ? { status } : {}),
          ...(search ? { search } : {}),
          limit,
          offset,
        });
        return {
          total: page.total,
          contacts: page.contacts.map((c): CampaignContact => ({
            contactId: c.contactId,
            phone: c.phone,
            name: c.name,
            status: c.status,
            attempts: c.attempts,
            nextAt: c.status === 'done' ? null : c.nextAt,
            callbackAt: c.callbackAt,
            lastOutcome: c.lastOutcome,
            lastDisposition: c.lastDisposition,
            lastCallId: c.lastCallId,
            lastAttemptAt: c.lastAttemptAt,
            doneReason: c.doneReason,
            consentSource: c.consentSource,
            consentAt: c.consentAt,
          })),
        };
      },
    };
  }

  /** The campaign's detail with its progress now. */
  async detail(campaign: DialingCampaignRecord): Promise<CampaignDetail> {
    return {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      dialingMode: campaign.dialingMode,
      listName: campaign.listName,
      flowName: campaign.flowName,
      createdAt: campaign.createdAt,
      updatedAt: campaign.updatedAt,
      flowVersion: campaign.flowVersion,
      config: configOf(campaign),
      progress: await this.progress(campaign.id),
      waiting: campaign.status === 'running' ? (this.options.waiting?.(campaign.id) ?? null) : null,
      pacing: campaign.status === 'running' ? (this.options.pacing?.(campaign.id) ?? null) : null,
    };
  }

  async progress(campaignId: number): Promise<CampaignProgress> {
    const c = await this.store.campaignContacts.counts(campaignId, this.now());
    return {
      contacts: c.contacts,
      dialed: c.dialed,
      remaining: c.pending + c.leased,
      finished: c.done,
      liveCalls: c.leased,
      calls: c.calls,
      answered: c.answered,
      transferred: c.transferred,
      completed: c.completed,
      transferFallbacks: c.transferFallbacks,
      byOutcome: c.byOutcome,
      byDisposition: c.byDisposition,
      callbacksDue: c.callbacksDue,
      nextAttemptAt: c.nextAttemptAt,
    };
  }

  /** Something about the campaign changed: emit `campaign.updated`, at most once per throttle window (the last change always gets out). */
  changed(campaignId: number): void {
    if (this.closed || this.pendingEmit.has(campaignId)) return;
    // At most every throttleMs, and never more than a fifth of the time on counting (big campaigns).
    const interval = Math.max(
      this.options.throttleMs ?? 250,
      5 * (this.computeMs.get(campaignId) ?? 0),
    );
    const wait = Math.max(0, (this.lastEmit.get(campaignId) ?? 0) + interval - Date.now());
    this.pendingEmit.set(
      campaignId,
      setTimeout(() => {
        this.pendingEmit.delete(campaignId);
        this.lastEmit.set(campaignId, Date.now());
        void (async () => {
          const started = Date.now();
          const campaign = await this.store.campaignContacts.getCampaign(campaignId);
          if (!campaign || this.closed) return;
          const detail = await this.detail(campaign);
          this.computeMs.set(campaignId, Date.now() - started);
          this.options.emit(detail);
        })().catch(() => undefined); // the store closing under a late event: nothing to tell
      }, wait),
    );
  }

  close(): void {
    this.closed = true;
    for (const timer of this.pendingEmit.values()) clearTimeout(timer);
    this.pendingEmit.clear();
  }

  private async publish(campaign: DialingCampaignRecord): Promise<CampaignDetail> {
    const detail = await this.detail(campaign);
    this.lastEmit.set(campaign.id, Date.now());
    this.options.emit(detail);
    return detail;
  }

  private async require(name: string): Promise<DialingCampaignRecord> {
    const campaign = await this.store.campaignContacts.getCampaignByName(name);
    if (!campaign) throw new ApiError('NOT_FOUND', `No campaign named "${name}"`);
    return campaign;
  }

  private async start(
    name: string,
    action: 'campaigns.start' | 'campaigns.resume',
    from: CampaignRecord['status'][],
    actor: Actor,
  ): Promise<CampaignDetail> {
    const campaign = await this.require(name);
    if (campaign.status === 'running') return this.detail(campaign);
    if (!from.includes(campaign.status))
      throw new ApiError(
        'CONFLICT',
        `Campaign "${name}" is ${campaign.status}; ${action.split('.')[1]} works on a ${from.join(' or ')} campaign`,
      );
    if (campaign.listId === null) throw invalid('list', `campaign "${name}" has no contact list`);
    if (campaign.trunkIds.length === 0)
      throw invalid(
        'trunks',
        `campaign "${name}" has no trunk (its trunks were removed): add one with campaigns.update`,
      );
    let version = campaign.flowVersion;
    if (campaign.flowId !== null && version === null) {
      const flow = (await this.store.flows.list()).find((f) => f.id === campaign.flowId);
      if (!flow?.latestVersion)
        throw invalid('flow.name', `flow "${campaign.flowName ?? ''}" has no saved version to run`);
      version = flow.latestVersion;
    }
    const started = await this.store.transaction(async (tx) => {
      if (version !== campaign.flowVersion)
        await tx.campaignContacts.updateCampaign(campaign.id, { flowVersion: version });
      await tx.campaigns.setStatus(campaign.id, 'running');
      // Other seats sharing the store wake and re-read their running campaigns (change-feed.ts).
      await tx.changes.notify('campaigns');
      const { added } = await tx.campaignContacts.enroll(campaign.id, campaign.listId ?? 0);
      await writeAudit(tx, actor, {
        action,
        subject: name,
        details: { flowVersion: version, contactsAdded: added },
      });
      return tx.campaignContacts.getCampaign(campaign.id);
    });
    if (!started) throw new ApiError('NOT_FOUND', `No campaign named "${name}"`);
    this.options.onRunning?.(started.id);
    return this.publish(started);
  }

  private async setStatus(
    name: string,
    status: 'paused' | 'stopped',
    from: CampaignRecord['status'][],
    actor: Actor,
  ): Promise<CampaignDetail> {
    const campaign = await this.require(name);
    if (campaign.status === status) return this.detail(campaign);
    if (!from.includes(campaign.status))
      throw new ApiError(
        'CONFLICT',
        `Campaign "${name}" is ${campaign.status}; only a ${from.join(' or ')} campaign can be ${status}`,
      );
    const updated = await this.store.transaction(async (tx) => {
      await tx.campaigns.setStatus(campaign.id, status);
      await tx.changes.notify('campaigns');
      await writeAudit(tx, actor, {
        action: status === 'paused' ? 'campaigns.pause' : 'campaigns.stop',
        subject: name,
        details: {},
      });
      return tx.campaignContacts.getCampaign(campaign.id);
    });
    if (!updated) throw new ApiError('NOT_FOUND', `No campaign named "${name}"`);
    return this.publish(updated);
  }

  /** Config names → store ids; each unknown name is an error naming its field. */
  private async resolve(name: string, config: CampaignConfig): Promise<NewDialingCampaign> {
    const list = await this.store.contacts.getListByName(config.list);
    if (!list) {
      const names = (await this.store.contacts.lists()).map((l) => l.name);
      throw invalid(
        'list',
        `no contact list named "${config.list}"${names.length ? ` (lists: ${names.slice(0, 10).join(', ')})` : ' (import one first: outbound import FILE --list NAME)'}`,
      );
    }
    let flowId: number | null = null;
    let flowVersion: number | null = null;
    if (config.flow && config.dialingMode === 'predictive')
      throw invalid(
        'flow',
        'a predictive campaign hands every answered call to an agent at once: leave the flow out',
      );
    if (config.flow) {
      const flow = await this.store.flows.getByName(config.flow.name);
      if (!flow) throw invalid('flow.name', `no flow named "${config.flow.name}"`);
      if (config.flow.version !== undefined) {
        if (!(await this.store.flows.getVersion(flow.id, config.flow.version)))
          throw invalid(
            'flow.version',
            `flow "${flow.name}" has no version ${config.flow.version} (latest: ${flow.latestVersion ?? 'none'})`,
          );
        flowVersion = config.flow.version;
      }
      flowId = flow.id;
    } else if (config.dialingMode === 'agentless') {
      throw invalid('flow', 'an agentless campaign needs a flow for the bot to run');
    }
    const all = await this.store.trunks.list();
    const trunkIds = config.trunks.map((trunkName, i) => {
      const trunk = all.find((t) => t.name === trunkName);
      if (!trunk)
        throw invalid(
          `trunks.${i}`,
          `no trunk named "${trunkName}"${all.length ? ` (trunks: ${all.map((t) => t.name).join(', ')})` : ' (add one with outbound trunk add)'}`,
        );
      return trunk.id;
    });
    if (new Set(trunkIds).size !== trunkIds.length) throw invalid('trunks', 'lists a trunk twice');
    return {
      name,
      listId: list.id,
      flowId,
      flowVersion,
      dialingMode: config.dialingMode,
      linesPerAgent: config.linesPerAgent,
      queue: config.queue,
      maxConcurrentCalls: config.maxConcurrentCalls,
      schedule: config.schedule as unknown as NewDialingCampaign['schedule'], // validated JSON by the command's schema
      retryPolicy: config.retryPolicy as unknown as NewDialingCampaign['retryPolicy'],
      predictive: config.predictive as unknown as NonNullable<NewDialingCampaign['predictive']>, // validated by the command's schema
      amd: config.amd as unknown as NonNullable<NewDialingCampaign['amd']>, // validated by the command's schema
      requireConsent: config.requireConsent,
      trunkIds,
    };
  }
}

/** The stored campaign as the API's config (names, not ids). */
function configOf(campaign: DialingCampaignRecord): CampaignConfig & { trunks: string[] } {
  const schedule = CallingScheduleSchema.safeParse(campaign.schedule);
  const retry = RetryPolicySchema.safeParse(campaign.retryPolicy);
  return {
    list: campaign.listName ?? '',
    flow: campaign.flowName
      ? {
          name: campaign.flowName,
          ...(campaign.flowVersion !== null ? { version: campaign.flowVersion } : {}),
        }
      : null,
    trunks: campaign.trunkNames,
    dialingMode: campaign.dialingMode,
    linesPerAgent: campaign.linesPerAgent,
    queue: campaign.queue,
    maxConcurrentCalls: campaign.maxConcurrentCalls,
    schedule: schedule.success
      ? schedule.data
      : { timeZone: 'UTC', windows: {}, excludedDates: [] },
    retryPolicy: retry.success ? retry.data : DEFAULT_RETRY_POLICY,
    predictive: predictiveOf(campaign),
    amd: amdOf(campaign),
    requireConsent: campaign.requireConsent,
  };
}

/** The campaign's answering-machine detection settings; off where none (or unreadable ones) are stored. */
export function amdOf(campaign: DialingCampaignRecord): CampaignConfig['amd'] {
  const parsed = AmdSettingsSchema.safeParse(campaign.amd);
  return parsed.success ? parsed.data : { ...DEFAULT_AMD_SETTINGS };
}

/** The campaign's predictive settings; the defaults where none (or unreadable ones) are stored. */
export function predictiveOf(campaign: DialingCampaignRecord): CampaignConfig['predictive'] {
  const parsed = PredictiveSettingsSchema.safeParse(campaign.predictive);
  return parsed.success ? parsed.data : PredictiveSettingsSchema.parse({});
}
