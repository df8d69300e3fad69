import { EventEmitter } from 'node:events';
import type { DropReason } from '../chase/chase.live.ts';

/** What changed on polling day, published once it is committed, for the live war room. */
export type LiveEvent = CommittedChange & {
  /** Committed on another web node, and relayed here by the realtime layer. */
  relayed?: true;
};

type CommittedChange =
  | { type: 'station:turnout'; electionId: number; stationCode: string; voters: number; observedAt: string }
  | { type: 'station:flag'; electionId: number; stationCode: string; category: string; observedAt: string }
  | { type: 'voters:marked'; electionId: number; stationCode: string; marked: number; unmarked: number }
  /** An election was created, or its stations imported again. */
  | { type: 'election:changed'; electionId: number }
  /** Chase lists whose progress moved: built, claimed from, worked, split, or an entry dropped. */
  | { type: 'chase:changed'; electionId: number; listIds: number[] }
  /** Entries dropped while volunteers held them (their voter voted or became do-not-contact, their station closed): ids only. */
  | {
      type: 'chase:dropped';
      electionId: number;
      reason: DropReason;
      claims: { entryId: number; listId: number; voterId: number; assigneeId: number }[];
    }
  /** Who works which lists changed (an assignment, a team's members, a split). */
  | { type: 'chase:assigned'; electionId: number };

/**
 * The events of this process's committed changes. The realtime layer turns them into what it
 * sends to war-room screens; with several web nodes, its Socket.io adapter carries them across.
 */
export function createLiveFeed() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish(event: LiveEvent): void {
      emitter.emit('event', event);
    },
    subscribe(listener: (event: LiveEvent) => void): () => void {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
  };
}

export type LiveFeed = ReturnType<typeof createLiveFeed>;
