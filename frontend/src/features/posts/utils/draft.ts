import type { Channel, Platform, Post, PostCategory, PostMediaInput, PreviewInput, VariantInput } from "@/lib/api/types";

export const CATEGORIES: PostCategory[] = ["health_tip", "behind_the_scenes", "patient_story", "jobs", "event", "press", "crisis", "other"];

/** The platforms Klinikfunk publishes to: the composer counts for these while no channel is chosen. */
export const GENERIC_PLATFORMS: Platform[] = ["facebook", "instagram", "linkedin", "mastodon", "bluesky"];

const LINK = /^https?:\/\/\S+$/;

export interface Draft {
  title: string;
  category: PostCategory | "";
  clinicId: string;
  language: string;
  baseText: string;
  link: string;
  showsPatient: boolean;
  /** Kept as a dark-site holding statement (crisis posts only). */
  holdingStatement: boolean;
  /** Chosen channels: channel id → own text (null: the base text). */
  targets: Record<string, string | null>;
  /** Attached images in order. */
  media: DraftMedia[];
}

export interface DraftMedia {
  mediaId: string;
  filename: string;
  altText: string;
}

export function emptyDraft(clinicId = ""): Draft {
  return { title: "", category: "", clinicId, language: "de", baseText: "", link: "", showsPatient: false, holdingStatement: false, targets: {}, media: [] };
}

export function draftOf(post: Post): Draft {
  const targets: Record<string, string | null> = {};
  for (const variant of post.variants) targets[variant.channel_id] = variant.text_override;
  return {
    title: post.title,
    category: post.category,
    clinicId: post.clinic_id,
    language: post.language,
    baseText: post.base_text,
    link: post.link_url ?? "",
    showsPatient: post.shows_patient,
    holdingStatement: post.holding_statement,
    targets,
    media: [...post.media]
      .sort((a, b) => a.position - b.position)
      .map((item) => ({ mediaId: item.media_id, filename: item.filename, altText: item.alt_text })),
  };
}

/** Channels a post of `clinicId` may use: the clinic's own and the organization's. */
export function channelsFor(channels: Channel[], clinicId: string): Channel[] {
  return channels.filter((channel) => channel.clinic_id === clinicId || channel.clinic_id === null);
}

export function validLink(link: string): string | null {
  const trimmed = link.trim();
  return LINK.test(trimmed) ? trimmed : null;
}

/** What the counters are asked for: the chosen channels with their texts, or every platform. */
export function previewInput(draft: Draft): PreviewInput {
  const channelIds = Object.keys(draft.targets);
  const overrides: Record<string, string> = {};
  for (const [id, text] of Object.entries(draft.targets)) if (text !== null) overrides[id] = text;
  return {
    base_text: draft.baseText,
    link_url: validLink(draft.link),
    language: draft.language,
    channel_ids: channelIds,
    overrides,
    platforms: channelIds.length === 0 ? GENERIC_PLATFORMS : [],
  };
}

export function variantsOf(draft: Draft): VariantInput[] {
  return Object.entries(draft.targets).map(([channel_id, text]) => ({ channel_id, text_override: text, options: {} }));
}

export function mediaOf(draft: Draft): PostMediaInput[] {
  return draft.media.map((item) => ({ media_id: item.mediaId, alt_text: item.altText.trim() }));
}

/** Per image (by position) the backend's message from a 422 on `body.media.<n>.*`. */
export function mediaErrors(errors: { field: string; message: string }[] | undefined): Record<number, string> {
  const result: Record<number, string> = {};
  for (const item of errors ?? []) {
    const match = /^(?:body\.)?media\.(\d+)/.exec(item.field);
    if (match) result[Number(match[1])] ??= item.message;
  }
  return result;
}
