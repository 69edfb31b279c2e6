import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import type { CliContext } from '../context.js';
import type { Theme } from '../theme.js';
import { runView } from './ink.js';
import { Paint } from './kit.js';

export interface LoginAnswers {
  email: string;
  password: string;
}

/** Email, then the password hidden as it is typed. Esc cancels. */
export function LoginPrompt({ theme, apiUrl, email: given, onDone }: { theme: Theme; apiUrl: string; email?: string | undefined; onDone(a: LoginAnswers | null): void }) {
  const [email, setEmail] = useState(given ?? '');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<'email' | 'password'>(given ? 'password' : 'email');
  useInput((_i, key) => {
    if (key.escape) onDone(null);
  });
  return (
    <Box flexDirection="column">
      <Paint theme={theme} bold>{`Log in to ${apiUrl}`}</Paint>
      <Box>
        <Text>{'email     '}</Text>
        {step === 'email' ? <TextInput value={email} onChange={setEmail} onSubmit={() => email.trim() && setStep('password')} /> : <Text>{email}</Text>}
      </Box>
      {step === 'password' ? (
        <Box>
          <Text>{'password  '}</Text>
          <TextInput value={password} mask="•" onChange={setPassword} onSubmit={() => password && onDone({ email: email.trim(), password })} />
        </Box>
      ) : null}
    </Box>
  );
}

export function promptLogin(ctx: CliContext, email?: string): Promise<LoginAnswers | null> {
  return runView<LoginAnswers | null>(ctx, null, (finish) => <LoginPrompt theme={ctx.theme} apiUrl={ctx.apiUrl()} email={email} onDone={finish} />);
}
