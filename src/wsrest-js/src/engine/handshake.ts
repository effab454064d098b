import { WsRestError, WsRestRefusedError } from '../client/errors.js';
import { FrameDecodeError, decodeMessage, isBatch } from '../protocol/decode.js';
import { encodeFrame } from '../protocol/encode.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { FrameOf } from '../protocol/frames.js';
import { binaryMessage, type Socket } from './socket.js';

/**
 * HELLO → WELCOME → READY (§4, §13.2: handshake messages are single objects). An ERROR from the
 * server is a refusal that retrying will not heal, except a handshake timeout (a busy server).
 */
export function handshake(socket: Socket, hello: FrameOf<'hello'>, timeoutMs: number): Promise<FrameOf<'welcome'>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close(1002, 'handshake timeout');
      reject(new WsRestError(`No WELCOME within ${timeoutMs} ms`, ErrorCode.HandshakeTimeout));
    }, timeoutMs);
    const done = (error: Error | undefined, welcome?: FrameOf<'welcome'>): void => {
      clearTimeout(timer);
      if (error) {
        socket.close(error instanceof WsRestRefusedError || error.message.startsWith('The server closed') ? 1000 : 1002, 'handshake failed');
        reject(error);
      } else {
        resolve(welcome!);
      }
    };
    socket.attach({
      message: (text) => {
        // What follows WELCOME waits in the socket's backlog for the connection.
        socket.detach();
        const [error, welcome] = readWelcome(text);
        if (!error) socket.send(encodeFrame({ t: 'ready' }));
        done(error, welcome);
      },
      closed: (code, reason, error) => done(new WsRestError(`The server closed the connection during the handshake (${code}${reason ? ` ${reason}` : ''})`, undefined, { cause: error })),
    });
    socket.send(encodeFrame(hello));
  });
}

function readWelcome(text: string | typeof binaryMessage): [Error | undefined, FrameOf<'welcome'>?] {
  try {
    if (text === binaryMessage || isBatch(text)) throw new FrameDecodeError(ErrorCode.ProtocolError, 'The handshake answer must be one JSON object');
    const [frame] = decodeMessage(text);
    if (frame?.t === 'error') {
      const refused = frame.code !== ErrorCode.HandshakeTimeout && frame.code !== ErrorCode.InternalError;
      const message = `The server refused the handshake: ${WsRestError.fromCode(frame.code, frame.reason).message}`;
      return [refused ? new WsRestRefusedError(message, frame.code) : new WsRestError(message, frame.code)];
    }
    if (frame?.t !== 'welcome') throw new FrameDecodeError(ErrorCode.ProtocolError, `Expected WELCOME, got ${frame?.t}`);
    if (frame.v !== 1) return [new WsRestRefusedError(`The server speaks protocol version ${frame.v}, not 1`, ErrorCode.UnsupportedVersion)];
    return [undefined, frame];
  } catch (error) {
    if (error instanceof FrameDecodeError) return [new WsRestError(`Bad handshake answer: ${error.message}`, error.code)];
    throw error;
  }
}
