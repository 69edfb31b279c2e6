import { useInput, useStdin } from 'ink';
import type { ReactNode } from 'react';

/** Hears Ctrl-C wherever the focus is in the view below it. */
export function CtrlC({ onInterrupt, children }: { onInterrupt: () => void; children?: ReactNode }) {
  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') onInterrupt();
    },
    { isActive: isRawModeSupported === true },
  );
  return <>{children}</>;
}
