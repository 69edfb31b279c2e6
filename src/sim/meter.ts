/** An energy register that advances at a fixed power while a transaction runs. */
export class Meter {
  private baseWh: number;
  private startedAt: number | null = null;

  constructor(
    readonly powerW: number,
    private readonly frozen: boolean,
    initialWh = 1_250_000,
  ) {
    this.baseWh = initialWh;
  }

  get running(): boolean {
    return this.startedAt !== null;
  }

  start(): void {
    if (this.startedAt === null) this.startedAt = Date.now();
  }

  stop(): void {
    this.baseWh = this.readWh();
    this.startedAt = null;
  }

  /** The register in whole Wh, as a charge point reports it. */
  readWh(): number {
    if (this.startedAt === null || this.frozen) return Math.round(this.baseWh);
    const hours = (Date.now() - this.startedAt) / 3_600_000;
    return Math.round(this.baseWh + this.powerW * hours);
  }
}
