// The host side of IpcQuorum (ipc-quorum.ts): serves the EmbeddedQuorum of `samsa start
// --brokers N` to one broker child process over its IPC channel. It pushes the log, the live
// brokers and the controller id as they change, and answers the child's appends, registration
// and campaign. When the channel closes (the child exited, was killed, or crashed) the child's
// session is expired at once, so the controller moves its leaderships without any timeout.
import type { ChildProcess } from 'node:child_process';
import type { EmbeddedQuorum } from './embedded-quorum.js';
import { DuplicateBrokerError, QuorumConflictError, type BrokerSession } from './quorum.js';
import type { BrokerMessage, HostMessage, QuorumErrorWire } from './ipc-quorum.js';

function toWire(err: unknown): QuorumErrorWire {
  if (err instanceof QuorumConflictError) return { kind: 'conflict', logEnd: err.logEnd };
  if (err instanceof DuplicateBrokerError) return { kind: 'duplicate', nodeId: err.nodeId };
  return { kind: 'unavailable', message: (err as Error).message ?? String(err) };
}

// Serves `quorum` to `child` until its channel closes; returns a function that stops serving.
export function serveQuorum(quorum: EmbeddedQuorum, child: ChildProcess): () => void {
  let session: BrokerSession | null = null;
  let nodeId: number | null = null;
  let stopCampaign: (() => void) | null = null;
  let ended = false;
  const send = (m: HostMessage) => {
    if (ended || !child.connected) return;
    // A child that exits between the check and the write: its close ends the service.
    child.send(m, () => undefined);
  };
  send({ q: 'hello', clusterId: quorum.clusterId, logEnd: quorum.logEnd(), live: [...quorum.liveBrokers()], controllerId: quorum.controllerId() });
  const unfollow = quorum.follow(0, (records) => send({ q: 'records', records: [...records] }));
  const unwatchBrokers = quorum.onBrokersChanged((live) => send({ q: 'brokers', live: [...live] }));
  const unwatchController = quorum.onControllerChanged((id) => send({ q: 'controller', nodeId: id }));

  const answer = (id: number, work: Promise<number | null>) =>
    work.then(
      (value) => send({ q: 'res', id, ok: true, value }),
      (err: unknown) => send({ q: 'res', id, ok: false, error: toWire(err) }),
    );

  const onMessage = (raw: unknown) => {
    const m = raw as BrokerMessage;
    if (typeof m !== 'object' || m === null || typeof m.q !== 'string') return;
    switch (m.q) {
      case 'append':
        void answer(m.id, quorum.append(m.changes, m.expectedEnd));
        break;
      case 'register':
        void answer(
          m.id,
          quorum.register(m.reg).then((s) => {
            session = s;
            nodeId = m.reg.nodeId;
            return null;
          }),
        );
        break;
      case 'closeSession': {
        const s = session;
        session = null;
        void answer(
          m.id,
          (s ? s.close() : Promise.resolve()).then(() => null),
        );
        break;
      }
      case 'campaign':
        stopCampaign?.();
        stopCampaign = quorum.campaign(m.nodeId, (isController) => send({ q: 'role', isController }));
        break;
      case 'resign':
        stopCampaign?.();
        stopCampaign = null;
        break;
    }
  };
  child.on('message', onMessage);

  const end = () => {
    if (ended) return;
    ended = true;
    child.off('message', onMessage);
    unfollow();
    unwatchBrokers();
    unwatchController();
    stopCampaign?.();
    stopCampaign = null;
    // The broker died without a controlled leave: its session ends now.
    if (session && nodeId !== null) quorum.expire(nodeId);
    session = null;
  };
  child.once('disconnect', end);
  child.once('exit', end);
  return end;
}
