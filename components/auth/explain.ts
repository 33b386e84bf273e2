/** A person-readable message for a failed WebAuthn ceremony or API call. */
export function explain(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "NotAllowedError") return "The passkey prompt was closed or timed out. Try again.";
    if (e.name === "InvalidStateError") return "This device already holds a passkey for this account.";
    // Browsers refuse passkeys for IP addresses: the relying party must be a host name.
    if (e.name === "SecurityError") return `Passkeys need a host name, not an IP address: open Minos at http://localhost:${window.location.port || 80} or its DNS name.`;
    return e.message;
  }
  return String(e);
}
