import type * as T from '../../ocpp/ocpp201.js';

/** Part 2 Appendix 1: the security events this station raises. */
export type SecurityEventType =
  | 'StartupOfTheDevice'
  | 'ResetOrReboot'
  | 'FirmwareUpdated'
  | 'InvalidFirmwareSignature'
  | 'InvalidFirmwareSigningCertificate'
  | 'ReconfigurationOfSecurityParameters'
  | 'SettingSystemTime';

/**
 * The security log (A04). Every event is logged; each is also sent to the CSMS, in order, and
 * kept until the station is online and accepted, so none is lost to a reboot or a dropped link.
 * The Appendix 1 events marked critical must be pushed; this station pushes the others too.
 */
export class SecurityEvents {
  readonly log: T.SecurityEventNotificationRequest[] = [];
  private readonly unsent: T.SecurityEventNotificationRequest[] = [];
  private sending = false;

  constructor(private readonly send: (event: T.SecurityEventNotificationRequest) => Promise<boolean>) {}

  /** `techInfo` never carries a secret (A01.FR.12). */
  raise(type: SecurityEventType, at: Date, techInfo?: string): void {
    const event: T.SecurityEventNotificationRequest = { type, timestamp: at.toISOString(), ...(techInfo && { techInfo }) };
    this.log.push(event);
    this.unsent.push(event);
  }

  /** Sends what waits; stops at the first failure and keeps the rest for later. */
  async flush(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.unsent.length > 0 && (await this.send(this.unsent[0]!))) this.unsent.shift();
    } finally {
      this.sending = false;
    }
  }
}
