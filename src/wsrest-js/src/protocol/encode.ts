import type { Body } from './body.js';
import type { Frame, HeaderList, Settings } from './frames.js';

/** Encodes one frame as one JSON object (§13.4), omitting members that equal their defaults. */
export function encodeFrame(frame: Frame): string {
  switch (frame.t) {
    case 'hello':
      return object(`"t":"hello","v":${frame.v}`, settings(frame.s), pairs('md', frame.md), str('prev', frame.prev), str('auth', frame.auth));
    case 'welcome':
      return object(`"t":"welcome","v":${frame.v},"id":${JSON.stringify(frame.id)}`, settings(frame.s));
    case 'ready':
      return '{"t":"ready"}';
    case 'req':
      return object(`"uid":${frame.uid},"m":${JSON.stringify(frame.m)},"r":${JSON.stringify(frame.r)}`, pairs('h', frame.h), body(frame.body), frame.e ? '' : '"e":false');
    case 'res':
      return object(`"uid":${frame.uid},"c":${frame.c}`, pairs('h', frame.h), body(frame.body), frame.e ? '' : '"e":false');
    case 'data':
      return object(`"t":"data","uid":${frame.uid}`, body(frame.body), frame.e ? '"e":true' : '');
    case 'window':
      return object('"t":"window"', frame.uid ? `"uid":${frame.uid}` : '', `"n":${frame.n}`);
    case 'cancel':
      return `{"t":"cancel","uid":${frame.uid},"code":${frame.code}}`;
    case 'goaway':
      return object(`"t":"goaway","last":${frame.last},"code":${frame.code}`, str('reason', frame.reason || undefined));
    case 'error':
      return object(`"t":"error","code":${frame.code}`, str('reason', frame.reason || undefined));
    case 'ping':
    case 'pong':
      return `{"t":"${frame.t}","p":${JSON.stringify(frame.p)}}`;
    case 'sub':
      return object(`"t":"sub","uid":${frame.uid},"topic":${JSON.stringify(frame.topic)}`, frame.from ? `"from":${frame.from}` : '', frame.epoch ? `"epoch":${frame.epoch}` : '');
    case 'unsub':
      return `{"t":"unsub","uid":${frame.uid}}`;
    case 'ack':
      return object(`"t":"ack","uid":${frame.uid},"k":"${frame.k}"`, frame.seq ? `"seq":${frame.seq}` : '', str('reason', frame.reason || undefined));
    case 'event':
      return object(`"t":"event","uid":${frame.uid},"seq":${frame.seq}`, str('ct', frame.ct), body(frame.body));
    case 'gap':
      return `{"t":"gap","uid":${frame.uid},"from":${frame.from},"to":${frame.to}}`;
    case 'epoch':
      return `{"t":"epoch","uid":${frame.uid},"epoch":${frame.epoch}}`;
    case 'pub':
      return object(`"t":"pub","uid":${frame.uid},"topic":${JSON.stringify(frame.topic)}`, str('ct', frame.ct), body(frame.body));
  }
}

/** Encodes frames as one message: the object itself for one frame, an array for several (§13.2). */
export function encodeMessage(frames: readonly string[]): string {
  return frames.length === 1 ? frames[0]! : `[${frames.join(',')}]`;
}

function object(...members: string[]): string {
  return `{${members.filter((member) => member !== '').join(',')}}`;
}

function str(name: string, value: string | undefined): string {
  return value === undefined ? '' : `"${name}":${JSON.stringify(value)}`;
}

function pairs(name: string, list: HeaderList | undefined): string {
  return list && list.length ? `"${name}":${JSON.stringify(list)}` : '';
}

function body(value: Body | undefined): string {
  return value && value.byteLength > 0 ? value.toMembers() : '';
}

function settings(value: Settings | undefined): string {
  return value ? `"s":${JSON.stringify(value)}` : '';
}
