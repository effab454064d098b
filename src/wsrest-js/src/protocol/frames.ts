import type { Body } from './body.js';

/** A header list: [name, value] pairs in order; a name may repeat (§13.4). */
export type HeaderList = [string, string][];

/** Settings of HELLO and WELCOME (§4.3); absent members take the defaults. */
export interface Settings {
  mcs?: number;
  isw?: number;
  icw?: number;
  mms?: number;
  mhl?: number;
  hb?: number;
  ps?: number;
}

export type AckKind = 'subscribed' | 'unsubscribed' | 'published' | 'refused';

/** One frame of §3–§10 as the JSON encoding carries it (§13.4). Bodies are kept encoded until read. */
export type Frame =
  | { t: 'hello'; v: number; s?: Settings; md?: HeaderList; prev?: string; auth?: string }
  | { t: 'welcome'; v: number; id: string; s?: Settings }
  | { t: 'ready' }
  | { t: 'req'; uid: number; m: string; r: string; h: HeaderList; body: Body | undefined; e: boolean }
  | { t: 'res'; uid: number; c: number; h: HeaderList; body: Body | undefined; e: boolean }
  | { t: 'data'; uid: number; body: Body | undefined; e: boolean }
  | { t: 'window'; uid: number; n: number }
  | { t: 'cancel'; uid: number; code: number }
  | { t: 'goaway'; last: number; code: number; reason: string }
  | { t: 'error'; code: number; reason: string }
  | { t: 'ping'; p: string }
  | { t: 'pong'; p: string }
  | { t: 'sub'; uid: number; topic: string; from: number; epoch?: number }
  | { t: 'unsub'; uid: number }
  | { t: 'ack'; uid: number; k: AckKind; seq: number; reason: string }
  | { t: 'event'; uid: number; seq: number; ct: string | undefined; body: Body | undefined }
  | { t: 'gap'; uid: number; from: number; to: number }
  | { t: 'epoch'; uid: number; epoch: number }
  | { t: 'pub'; uid: number; topic: string; ct: string | undefined; body: Body | undefined };

export type FrameType = Frame['t'];

export type FrameOf<T extends FrameType> = Extract<Frame, { t: T }>;

/** Defaults of §4.3, used for members a peer leaves out. */
export const defaultSettings: Required<Settings> = {
  mcs: 100,
  isw: 262_144,
  icw: 1_048_576,
  mms: 1_048_576,
  mhl: 65_536,
  hb: 0,
  ps: 0,
};

export function withDefaults(settings: Settings | undefined): Required<Settings> {
  return { ...defaultSettings, ...settings };
}
