/**
 * Where a simulated firmware update goes wrong, when told to: the download fails, or its
 * checksum; 2.0.1 only: the signature is refused; the installation fails; or it installs and
 * reboots into its old version (a bootloader that rolled back).
 */
export const FIRMWARE_FAILURES = ['download', 'checksum', 'signature', 'install', 'old-version'] as const;
export type FirmwareFailure = (typeof FIRMWARE_FAILURES)[number];
