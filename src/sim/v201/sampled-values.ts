import type * as T from '../../ocpp/ocpp201.js';
import type { Evse } from './evses.js';
import { MEASURANDS } from './standard-variables.js';
import { listItems } from './value-check.js';

const VOLTS = 230;
const PHASES = 3;

/** What the EVSE's meter reads now, as sampled values (J01, J02). */
function reading(evse: Evse, measurand: string): { value: number; unit: string } | null {
  const powerW = evse.meter.running ? evse.meter.powerW : 0;
  switch (measurand) {
    case 'Energy.Active.Import.Register':
      return { value: evse.meter.readWh(), unit: 'Wh' };
    case 'Power.Active.Import':
      return { value: powerW, unit: 'W' };
    case 'Current.Import':
      return { value: Math.round((powerW / (PHASES * VOLTS)) * 10) / 10, unit: 'A' };
    case 'Current.Offered':
      return { value: Math.round((evse.meter.powerW / (PHASES * VOLTS)) * 10) / 10, unit: 'A' };
    case 'Voltage':
      return { value: VOLTS, unit: 'V' };
    case 'Frequency':
      return { value: 50, unit: 'Hz' };
    default:
      return null;
  }
}

/** Whether a list of measurands (a CSV) names one this meter reads. */
export function measures(measurands: string): boolean {
  return listItems(measurands).some((m) => (MEASURANDS as readonly string[]).includes(m));
}

/** One MeterValue of the measurands a variable lists (a CSV), or null when it lists none. */
export function meterValue(evse: Evse, measurands: string, context: T.ReadingContextEnumType, at: Date): T.MeterValueType | null {
  const sampledValue = listItems(measurands).flatMap((measurand): T.SampledValueType[] => {
    const r = reading(evse, measurand);
    if (!r) return [];
    return [{ value: r.value, context, measurand: measurand as T.MeasurandEnumType, location: 'Outlet', unitOfMeasure: { unit: r.unit } }];
  });
  return sampledValue.length > 0 ? { timestamp: at.toISOString(), sampledValue } : null;
}
