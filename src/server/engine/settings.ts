import type { StepName } from '../../api/contract.js';
import { DEFAULT_LOG_BUDGET, type LogBudgetLimits } from './log-budget.js';
import type { TestTransactionSettings } from './templates.js';

/** Server-wide engine settings; a template's step_timeouts_seconds override the limits. */
export interface EngineSettings {
  /** How long a charge point may be away mid-session before the session fails. */
  reconnectGraceS: number;
  /** Default time limit per step. */
  stepTimeoutsS: Record<StepName, number>;
  /** How long to wait for a message a TriggerMessage asked for. */
  triggerWaitMs: number;
  /** Added to HeartbeatInterval when waiting for a regular, untriggered heartbeat. */
  heartbeatGraceS: number;
  /** How long to wait for a status change after ChangeAvailability. */
  statusWaitMs: number;
  /** How long to wait for StartTransaction after RemoteStartTransaction, and StopTransaction after RemoteStop. */
  transactionWaitMs: number;
  /**
   * How long a charge point that took a new password (AuthorizationKey) has to reconnect with it
   * before the session goes on: the next step must not send its calls down a connection the
   * charge point is about to close.
   */
  passwordSwitchWaitMs: number;
  /** Server-wide override of template test transaction settings (e.g. a short demo). */
  testTransaction: Partial<TestTransactionSettings>;
  /** Template used when none is asked for and none matches the model. */
  defaultTemplateId: string;
  /** What one session may write of its charge point's frames and problems. */
  logBudget: LogBudgetLimits;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  reconnectGraceS: 30,
  stepTimeoutsS: {
    connectivity: 30,
    heartbeat: 360,
    configuration: 180,
    connector_test: 180,
    test_transaction: 300,
  },
  // A round trip and the firmware's turn on one bar of 4G; missing it costs a wait for the
  // regular heartbeat (minutes), so the window errs long: an answer ends it at once.
  triggerWaitMs: 5000,
  heartbeatGraceS: 10,
  statusWaitMs: 10_000,
  transactionWaitMs: 60_000,
  passwordSwitchWaitMs: 15_000,
  testTransaction: {},
  defaultTemplateId: 'tpl_standard_ac_22kw',
  logBudget: DEFAULT_LOG_BUDGET,
};

/** The limit for one step: the template's, else the server's. */
export function stepTimeoutS(settings: EngineSettings, step: StepName, templateLimits: Partial<Record<StepName, number>>): number {
  return templateLimits[step] ?? settings.stepTimeoutsS[step];
}
