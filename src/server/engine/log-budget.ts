/**
 * How much of a charge point's traffic one session may write to its log. Every frame is a line,
 * and a charge point under test can send thousands a second (non-JSON, oversized, a CALL flood):
 * past the budget, frames and problems are counted instead of logged, so a session's log, the
 * disk under it and the sync queue behind it stay bounded.
 */
export interface LogBudgetLimits {
  /**
   * Frame lines (both directions) per session. A full session is a few hundred; an hour of
   * meter values a few thousand; the throughput benchmark's 10 s of back-to-back heartbeats
   * about 20,000, all of which it logs.
   */
  framesPerSession: number;
  /** Characters of frame lines per session. */
  frameCharsPerSession: number;
  /** Protocol problem lines per session. */
  problemsPerSession: number;
}

export const DEFAULT_LOG_BUDGET: LogBudgetLimits = {
  framesPerSession: 50_000,
  frameCharsPerSession: 32 * 1024 * 1024,
  problemsPerSession: 1000,
};

export class SessionLogBudget {
  private frames = 0;
  private chars = 0;
  private problems = 0;
  private droppedFrames = 0;
  private droppedChars = 0;
  private droppedProblems = 0;

  constructor(private readonly limits: LogBudgetLimits) {}

  /** Whether this frame may be logged; the first refused one is the moment to say so. */
  frame(length: number): 'log' | 'first-dropped' | 'dropped' {
    if (this.frames < this.limits.framesPerSession && this.chars + length <= this.limits.frameCharsPerSession) {
      this.frames += 1;
      this.chars += length;
      return 'log';
    }
    this.droppedFrames += 1;
    this.droppedChars += length;
    return this.droppedFrames === 1 ? 'first-dropped' : 'dropped';
  }

  problem(): 'log' | 'first-dropped' | 'dropped' {
    if (this.problems < this.limits.problemsPerSession) {
      this.problems += 1;
      return 'log';
    }
    this.droppedProblems += 1;
    return this.droppedProblems === 1 ? 'first-dropped' : 'dropped';
  }

  /** The line that says what was not logged, once the session ends; null when nothing was dropped. */
  summary(): string | null {
    const parts: string[] = [];
    if (this.droppedFrames > 0) parts.push(`${this.droppedFrames} frame${this.droppedFrames === 1 ? '' : 's'} (${this.droppedChars} characters)`);
    if (this.droppedProblems > 0) parts.push(`${this.droppedProblems} protocol problem or disconnection line${this.droppedProblems === 1 ? '' : 's'}`);
    if (parts.length === 0) return null;
    return `Not logged, over this session's budget (${this.limits.framesPerSession} frames or ${this.limits.frameCharsPerSession} characters of frames, ${this.limits.problemsPerSession} problems): ${parts.join(' and ')}`;
  }

  /** The line that says, once, that a kind of line is from now on counted rather than logged. */
  spentLine(kind: 'frames' | 'problems'): string {
    const budget = kind === 'frames' ? `${this.limits.framesPerSession} frames or ${this.limits.frameCharsPerSession} characters` : `${this.limits.problemsPerSession} lines of protocol problems and disconnections`;
    return `This session's log budget for ${kind === 'frames' ? 'frames' : 'protocol problems and disconnections'} is spent (${budget}): further ones are counted, and the count is logged when the session ends`;
  }
}
