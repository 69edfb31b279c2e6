import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { CliContext } from '../context.js';
import type { Theme } from '../theme.js';
import { runView } from './ink.js';
import { Paint } from './kit.js';

export interface LoginAnswers {
  email: string;
  password: string;
}

/**
 * Email, then the password hidden as it is typed. Esc cancels. One input handler for both
 * fields, which field a key belongs to kept in a ref changed by the Enter itself: a pasted
 * `email⏎password⏎` can never put the password into the (visible) email field, however late
 * the view redraws.
 */
export function LoginPrompt({ theme, apiUrl, email: given, onDone }: { theme: Theme; apiUrl: string; email?: string | undefined; onDone(a: LoginAnswers | null): void }) {
  const answers = useRef({ step: (given ? 'password' : 'email') as 'email' | 'password' | 'done', email: given ?? '', password: '' });
  const [, redraw] = useState(0);
  useInput((input, key) => {
    const a = answers.current;
    if (key.escape) return onDone(null);
    if (a.step === 'done' || key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
    if (key.return) {
      if (a.step === 'email' && a.email.trim()) a.step = 'password';
      else if (a.step === 'password' && a.password) {
        a.step = 'done';
        onDone({ email: a.email.trim(), password: a.password });
      }
    } else if (key.backspace || key.delete) a[a.step] = a[a.step].slice(0, -1);
    // A pasted newline is Enter (key-stream.ts); anything else that is not printable is dropped.
    else a[a.step] += input.replace(/[\u0000-\u001f\u007f]/g, '');
    redraw((n) => n + 1);
  });
  const a = answers.current;
  const cursor = <Text inverse> </Text>;
  return (
    <Box flexDirection="column">
      <Paint theme={theme} bold>{`Log in to ${apiUrl}`}</Paint>
      <Box>
        <Text>{'email     '}</Text>
        <Text>{a.email}</Text>
        {a.step === 'email' ? cursor : null}
      </Box>
      {a.step !== 'email' ? (
        <Box>
          <Text>{'password  '}</Text>
          <Text>{'•'.repeat(a.password.length)}</Text>
          {a.step === 'password' ? cursor : null}
        </Box>
      ) : null}
    </Box>
  );
}

export function promptLogin(ctx: CliContext, email?: string): Promise<LoginAnswers | null> {
  return runView<LoginAnswers | null>(ctx, null, (finish) => <LoginPrompt theme={ctx.theme} apiUrl={ctx.apiUrl()} email={email} onDone={finish} />);
}
