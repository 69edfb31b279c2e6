import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import TextInput from 'ink-text-input';
import { type ReactNode, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.js';
import { ApiRequestError } from '../../api/client-errors.js';
import {
  ISSUE_CATEGORIES,
  ISSUE_SEVERITIES,
  MIN_ISSUE_DESCRIPTION,
  STEP_NAMES,
  type IssueCategory,
  type IssueCreated,
  type IssueSeverity,
  type ReportIssueRequest,
  type StatusResponse,
  type StepName,
} from '../../api/contract.js';
import { reportIssueSchema } from '../../api/schemas.js';
import { problems } from '../../api/validate.js';
import { sendReport } from '../commands/issue/report.js';
import type { CliContext } from '../context.js';
import type { Theme } from '../theme.js';
import { runView } from './ink.js';
import { Paint } from './kit.js';

/** `38 characters (min 20)`, or `12 characters (min 20: 8 more)`: the count, and the minimum beside it. */
export function descriptionCounter(length: number): string {
  const short = MIN_ISSUE_DESCRIPTION - length;
  return `${length} character${length === 1 ? '' : 's'} (min ${MIN_ISSUE_DESCRIPTION}${short > 0 ? `: ${short} more` : ''})`;
}

export interface IssueDraft {
  category?: IssueCategory | undefined;
  severity?: IssueSeverity | undefined;
  step?: StepName | undefined;
  description?: string | undefined;
  photoUrls?: string[] | undefined;
}

const FIELDS = ['category', 'severity', 'step', 'description', 'photos'] as const;
type Field = (typeof FIELDS)[number];

/** The API names a field `photo_urls[0]`; the form has one field for all photos. */
const formField = (apiField: string): Field | 'form' => {
  if (apiField.startsWith('photo_urls')) return 'photos';
  return (FIELDS as readonly string[]).includes(apiField) ? (apiField as Field) : 'form';
};

function toBody(d: IssueDraft): ReportIssueRequest {
  const body = { category: d.category, severity: d.severity, description: d.description ?? '' } as ReportIssueRequest;
  if (d.step) body.step = d.step;
  if (d.photoUrls && d.photoUrls.length > 0) body.photo_urls = d.photoUrls;
  return body;
}

/** A free-text field of the form: its input and the line under it. */
interface TextField {
  value: string;
  onChange(v: string): void;
  placeholder: string;
  onSubmit(): void;
  hint: ReactNode;
}

export interface IssueFormProps {
  client: ApiClient;
  chargePointId: string;
  theme: Theme;
  initial: IssueDraft;
  /** The steps offered; every step when no session is known. */
  steps?: readonly StepName[] | undefined;
  onDone(created: IssueCreated | null): void;
}

/**
 * What a session tells the form: the step to preselect (the failed one, else the running one) and
 * the steps to offer, those of its template. A session that passed, or runs still, skipped a step
 * only because it was asked to (the test transaction): that one is not offered. One that failed
 * or was stopped also marks skipped the steps it never reached, which an installer may well
 * report on: all are offered.
 */
export function issueStepsOf(status: StatusResponse | null): { step?: StepName; steps?: StepName[] } {
  // Another server's answer is not checked against a schema: an odd one leaves the form as it is
  // without, and only the steps the API knows are offered (a wrong server's ten thousand are not).
  if (!status || !Array.isArray(status.steps)) return {};
  const known = status.steps.filter((s) => (STEP_NAMES as readonly string[]).includes(s.name));
  const step = (known.find((s) => s.status === 'failed') ?? known.find((s) => s.status === 'running'))?.name;
  const onRequestOnly = status.result === 'passed' || status.status === 'running' || status.status === 'paused';
  return { ...(step && { step }), steps: known.filter((s) => !(onRequestOnly && s.status === 'skipped')).map((s) => s.name) };
}

/**
 * Reporting an issue on site: category and severity as lists, the step preselected (the one that
 * failed), the 20-character rule counted as you type, photo URLs. The same schema as the server
 * checks first; what the server still refuses is shown on its field.
 */
export function IssueForm({ client, chargePointId, theme, initial, steps: given = STEP_NAMES, onDone }: IssueFormProps) {
  // The step asked for (`--step`) is always there to keep.
  const steps = initial.step && !given.includes(initial.step) ? STEP_NAMES.filter((s) => s === initial.step || given.includes(s)) : given;
  const [draft, setDraft] = useState<IssueDraft>(initial);
  const [field, setFieldState] = useState<Field>('category');
  // A select that is going away can still hear one more key; it must not act on it.
  const fieldRef = useRef<Field>('category');
  const setField = (f: Field): void => {
    fieldRef.current = f;
    setFieldState(f);
  };
  const [description, setDescription] = useState(initial.description ?? '');
  const [photos, setPhotos] = useState((initial.photoUrls ?? []).join(' '));
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({});
  const [sending, setSending] = useState(false);

  useInput((_input, key) => {
    if (key.escape && !sending) onDone(null);
  });

  const next = (after: Field): void => setField(FIELDS[FIELDS.indexOf(after) + 1] ?? 'photos');

  /** Each problem on its field (the first per field), and the cursor on the first field with one. */
  const showOnFields = (found: { field: string; message: string }[], fallback: Field): void => {
    const byField: Partial<Record<Field | 'form', string>> = {};
    for (const p of found) byField[formField(p.field)] ??= p.message;
    setErrors(byField);
    setField(FIELDS.find((f) => byField[f]) ?? fallback);
  };

  const submit = async (final: IssueDraft): Promise<void> => {
    const body = toBody(final);
    const found = problems(reportIssueSchema, body);
    if (found.length > 0) {
      showOnFields(found, 'category');
      return;
    }
    setSending(true);
    setErrors({});
    try {
      onDone(await sendReport(client, chargePointId, body));
    } catch (err) {
      setSending(false);
      if (err instanceof ApiRequestError && err.details.length > 0) {
        showOnFields(err.details.map((d) => ({ field: String(d.field ?? 'form'), message: String(d['message'] ?? err.message) })), field);
      } else {
        setErrors({ form: err instanceof Error ? err.message : String(err) });
      }
    }
  };

  const label = (f: Field, text: string, value: string | undefined) => (
    <Box key={f}>
      <Box width={14}>
        <Paint theme={theme} bold={field === f} color={field === f ? 'cyan' : undefined}>
          {`${field === f ? '›' : ' '} ${text}`}
        </Paint>
      </Box>
      {field !== f ? <Text>{value || '-'}</Text> : null}
      {errors[f] ? <Paint theme={theme} color="red">{`  ${errors[f]}`}</Paint> : null}
    </Box>
  );
  const select = <T extends string>(f: Field, values: readonly T[], current: T | undefined, set: (v: T) => void, none?: string) => {
    // Numbered as the list's number keys pick them (1 to 9).
    const items = [...(none ? [{ key: '', label: none, value: '' as T }] : []), ...values.map((v) => ({ key: v, label: v, value: v }))].map((item, i) => ({
      ...item,
      label: i < 9 ? `${i + 1}. ${item.label}` : `   ${item.label}`,
    }));
    const index = Math.max(0, items.findIndex((i) => i.value === (current ?? '')));
    return field === f ? (
      <Box marginLeft={2} flexDirection="column">
        <Paint theme={theme} dim>
          ↑↓ then Enter, or the item's number (1–9)
        </Paint>
        <SelectInput
          items={items}
          initialIndex={index}
          onSelect={(item) => {
            if (fieldRef.current !== f) return;
            set(item.value);
            next(f);
          }}
        />
      </Box>
    ) : null;
  };

  const text = (f: Field, { value, onChange, placeholder, onSubmit, hint }: TextField) =>
    field === f ? (
      <Box flexDirection="column" marginLeft={2}>
        <TextInput value={value} placeholder={placeholder} onChange={onChange} onSubmit={onSubmit} />
        {hint}
      </Box>
    ) : null;

  const length = description.trim().length;
  return (
    <Box flexDirection="column" borderStyle={theme.color ? 'round' : 'classic'} paddingX={1}>
      <Paint theme={theme} bold>{`Report an issue for ${chargePointId}`}</Paint>
      {label('category', 'category', draft.category)}
      {select('category', ISSUE_CATEGORIES, draft.category, (category) => setDraft((d) => ({ ...d, category })))}
      {label('severity', 'severity', draft.severity)}
      {select('severity', ISSUE_SEVERITIES, draft.severity, (severity) => setDraft((d) => ({ ...d, severity })))}
      {label('step', 'step', draft.step)}
      {select('step', steps, draft.step, (step) => setDraft((d) => ({ ...d, step: step || undefined })), '(not about one step)')}
      {label('description', 'description', draft.description)}
      {text('description', {
        value: description,
        onChange: setDescription,
        placeholder: 'what happened, what you tried',
        onSubmit: () => {
          if (length < MIN_ISSUE_DESCRIPTION) {
            setErrors((e) => ({ ...e, description: `at least ${MIN_ISSUE_DESCRIPTION} characters` }));
            return;
          }
          setErrors((e) => ({ ...e, description: undefined }));
          setDraft((d) => ({ ...d, description: description.trim() }));
          next('description');
        },
        hint: (
          <Paint theme={theme} color={length < MIN_ISSUE_DESCRIPTION ? 'yellow' : 'green'}>
            {descriptionCounter(length)}
          </Paint>
        ),
      })}
      {label('photos', 'photo URLs', draft.photoUrls?.join(' '))}
      {text('photos', {
        value: photos,
        onChange: setPhotos,
        placeholder: 'https://… (optional; separate several with spaces)',
        onSubmit: () => {
          const photoUrls = photos.split(/[\s,]+/).filter(Boolean);
          const final = { ...draft, description: description.trim(), photoUrls };
          setDraft(final);
          void submit(final);
        },
        hint: (
          <Paint theme={theme} dim>
            {sending ? 'sending…' : 'Enter sends the report · Esc cancels'}
          </Paint>
        ),
      })}
      {errors.form ? <Paint theme={theme} color="red">{errors.form}</Paint> : null}
    </Box>
  );
}

export function runIssueForm(ctx: CliContext, client: ApiClient, chargePointId: string, initial: IssueDraft, steps?: readonly StepName[]): Promise<IssueCreated | null> {
  return runView<IssueCreated | null>(ctx, null, (finish) => <IssueForm client={client} chargePointId={chargePointId} theme={ctx.theme} initial={initial} steps={steps} onDone={finish} />);
}
