import "server-only";

import type { ChannelType } from "@/lib/schemas/alerts";

import { sendEmail } from "./email";
import type { Sender } from "./types";
import { sendSlack, sendWebhook } from "./webhook";

export type { Sender, SenderDeps, SendResult } from "./types";
export { signBody } from "./webhook";

/** The sender of each channel type. */
export const SENDERS: Record<ChannelType, Sender> = { webhook: sendWebhook, slack: sendSlack, email: sendEmail };
