/**
 * The toy social network's data: what its users agreed to share (watch history) and what they
 * did not (direct messages). Made up for the demo; every name is fictional.
 */
export interface WatchHistoryRecord {
  user: string;
  videoId: string;
  title: string;
  watchedAt: string;
  secondsWatched: number;
}

export interface DirectMessageRecord {
  from: string;
  to: string;
  sentAt: string;
  text: string;
}

export const WATCH_HISTORY: readonly WatchHistoryRecord[] = Object.freeze([
  { user: "alice", videoId: "v-1001", title: "Sourdough in ten minutes", watchedAt: "2026-01-05T18:20:00Z", secondsWatched: 412 },
  { user: "alice", videoId: "v-2040", title: "Night trains of Europe", watchedAt: "2026-01-06T21:02:00Z", secondsWatched: 1310 },
  { user: "bob", videoId: "v-1001", title: "Sourdough in ten minutes", watchedAt: "2026-01-07T07:45:00Z", secondsWatched: 95 },
  { user: "carol", videoId: "v-3300", title: "Fixing a bike chain", watchedAt: "2026-01-08T12:10:00Z", secondsWatched: 388 },
]);

export const DIRECT_MESSAGES: readonly DirectMessageRecord[] = Object.freeze([
  { from: "alice", to: "bob", sentAt: "2026-01-05T19:00:00Z", text: "the surprise party is on friday, don't tell carol" },
  { from: "bob", to: "alice", sentAt: "2026-01-05T19:04:00Z", text: "my lips are sealed" },
  { from: "carol", to: "alice", sentAt: "2026-01-08T12:30:00Z", text: "can I borrow your bike pump?" },
]);
