import type * as T from '../../ocpp/ocpp201.js';
import type { DeviceModel } from './device-model.js';
import { listItems } from './value-check.js';

/**
 * The network connection profiles in their configuration slots (B09). Slot 0 holds the profile
 * the station was installed with. Only what this firmware can use is accepted: OCPP 2.0.1 over
 * JSON, Basic auth over ws:// or wss:// (security profiles 1 and 2; there is no client
 * certificate for profile 3).
 */
export class NetworkProfiles {
  private readonly slots = new Map<number, T.NetworkConnectionProfileType>();

  constructor(
    private readonly model: DeviceModel,
    installed: T.NetworkConnectionProfileType,
  ) {
    this.slots.set(0, installed);
    // B10.FR.02: a priority list may only name slots that hold a profile.
    model.constrain('OCPPCommCtrlr', 'NetworkConfigurationPriority', (priority) => {
      const empty = listItems(priority).find((slot) => !this.slots.has(Number(slot)));
      return empty === undefined ? null : `slot ${empty} holds no network profile`;
    });
  }

  profile(slot: number): T.NetworkConnectionProfileType | undefined {
    return this.slots.get(slot);
  }

  /** The slots to try, in the order NetworkConfigurationPriority gives (B10.FR.04). */
  priority(): number[] {
    const order = listItems(this.model.value('OCPPCommCtrlr', 'NetworkConfigurationPriority')).map(Number);
    const usable = order.filter((slot) => this.slots.has(slot));
    return usable.length > 0 ? usable : [0];
  }

  set(request: T.SetNetworkProfileRequest): T.SetNetworkProfileResponse {
    const { configurationSlot, connectionData } = request;
    const slots = listItems(this.model.spec('OCPPCommCtrlr', 'NetworkConfigurationPriority')?.characteristics.valuesList ?? '');
    // B09.FR.05: the slot must be one the station reports in NetworkConfigurationPriority's valuesList.
    if (!slots.includes(String(configurationSlot))) return rejected('InvalidValue', `slot ${configurationSlot} does not exist`);
    // B09.FR.04: never a lower security profile than the one in use.
    if (connectionData.securityProfile < this.model.int('SecurityCtrlr', 'SecurityProfile')) {
      return rejected('NoSecurityDowngrade', 'a lower security profile than the one in use');
    }
    const problem = unusable(connectionData);
    // B09.FR.02: content this station cannot use is refused.
    if (problem) return rejected('UnsupportedParam', problem);
    this.slots.set(configurationSlot, connectionData);
    return { status: 'Accepted' };
  }
}

function unusable(p: T.NetworkConnectionProfileType): string | null {
  if (p.ocppVersion !== 'OCPP20' || p.ocppTransport !== 'JSON') return 'only OCPP 2.0.1 over JSON is supported';
  if (p.securityProfile < 1 || p.securityProfile > 2) return `security profile ${p.securityProfile} is not supported`;
  const scheme = /^(wss?):\/\//i.exec(p.ocppCsmsUrl)?.[1]?.toLowerCase();
  if (!scheme) return 'ocppCsmsUrl is not a ws:// or wss:// URL';
  if (p.securityProfile === 2 && scheme !== 'wss') return 'security profile 2 needs a wss:// URL';
  return null;
}

const rejected = (reasonCode: string, additionalInfo: string): T.SetNetworkProfileResponse => ({
  status: 'Rejected',
  statusInfo: { reasonCode, additionalInfo },
});
