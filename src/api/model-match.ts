/**
 * Whether a template's `compatible_models` names a charge point's model, as its BootNotification
 * gave it: the model alone or "vendor model", in any case. The rule the local server picks a
 * template by, and the one `apply-template` warns by.
 */
export function namesModel(compatibleModels: readonly string[], vendor: string | null | undefined, model: string | null | undefined): boolean {
  if (!model) return false;
  const wanted = [model, `${vendor ?? ''} ${model}`.trim()].map((s) => s.toLowerCase());
  return compatibleModels.some((m) => wanted.includes(m.toLowerCase()));
}
