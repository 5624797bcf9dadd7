/**
 * Control-filter preset banks (hybrid SFANC-FxNLMS): a user uploads a bank trained for a device or room profile
 * (`antiphase presets train` writes one), it is stored, and registered with the engine so that the user's sessions
 * can name it in `presets`. Every stored bank is registered again at start-up.
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from '@antiphase/engine';
import { presetBankFromJson, presetBankToJson } from '@antiphase/intelligence';
import { ApiError } from './errors.js';
import type { Principal } from './auth/service.js';
import type { PresetBankRecord, Store } from './store/types.js';

export interface PresetBankView {
  id: string;
  profile: string;
  sampleRate: number;
  taps: number;
  /** Preset ids: 'band:LO-HI' and noise classes. */
  presets: string[];
  createdAt: string;
}

export class PresetService {
  constructor(private readonly store: Store, private readonly engine: Engine) {}

  /** Start-up: every stored bank becomes available to new sessions. */
  async registerStored(): Promise<number> {
    const banks = await this.store.listPresetBanks();
    for (const record of banks) await this.engine.registerPresetBank(record.id, record.bank);
    return banks.length;
  }

  async create(principal: Principal, body: unknown): Promise<PresetBankView> {
    let bank;
    try {
      bank = presetBankFromJson(body);
    } catch (error) {
      throw new ApiError('BAD_REQUEST', `${(error as Error).message} (antiphase presets train writes a bank)`);
    }
    if (bank.presets.length === 0) throw new ApiError('BAD_REQUEST', 'the bank holds no presets');
    for (const preset of bank.presets) {
      if (!preset.weights.every(Number.isFinite)) throw new ApiError('BAD_REQUEST', `preset ${preset.id} has non-finite weights`);
    }
    const record: PresetBankRecord = {
      id: randomUUID(), userId: principal.userId, profile: bank.profile, sampleRate: bank.sampleRate, taps: bank.taps,
      bank: presetBankToJson(bank), createdAt: new Date().toISOString(),
    };
    await this.engine.registerPresetBank(record.id, record.bank);
    await this.store.createPresetBank(record);
    return view(record);
  }

  async list(principal: Principal): Promise<PresetBankView[]> {
    return (await this.store.listPresetBanks(principal.userId)).map(view);
  }

  async get(principal: Principal, id: string): Promise<PresetBankView> {
    return view(await this.owned(principal, id));
  }

  /** The bank if the principal may use it (its owner, or an admin); NOT_FOUND otherwise. */
  async owned(principal: Principal, id: string): Promise<PresetBankRecord> {
    const record = await this.store.presetBankById(id);
    if (!record || (record.userId !== principal.userId && principal.role !== 'admin')) throw new ApiError('NOT_FOUND', `no preset bank ${JSON.stringify(id)}`);
    return record;
  }
}

function view(record: PresetBankRecord): PresetBankView {
  const presets = ((record.bank as { presets?: { id: string }[] }).presets ?? []).map((p) => p.id);
  return { id: record.id, profile: record.profile, sampleRate: record.sampleRate, taps: record.taps, presets, createdAt: record.createdAt };
}
