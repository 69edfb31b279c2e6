/**
 * The station's clock. ClockCtrlr.TimeSource is Heartbeat: the time the CSMS sends in
 * BootNotificationResponse and HeartbeatResponse sets it (B01.FR.06, G02.FR.06), so every
 * timestamp the station sends is in the CSMS's time, as a real station's would be.
 */
export class StationClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  iso(): string {
    return this.now().toISOString();
  }

  /** Takes the CSMS's time; returns by how many seconds the clock moved. */
  sync(csmsTime: string): number {
    const at = Date.parse(csmsTime);
    if (Number.isNaN(at)) return 0;
    const before = this.offsetMs;
    this.offsetMs = at - Date.now();
    return Math.abs(this.offsetMs - before) / 1000;
  }
}
