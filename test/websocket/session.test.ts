import { describe, expect, it } from 'vitest';
import type { ConfirmedBlock } from '../../src/websocket/confirmation-message.js';
import { confirmationText } from '../../src/websocket/confirmation-message.js';
import { confirmationFilter, passes, Session } from '../../src/websocket/session.js';

const A = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo';
const B = 'nano_3i1aq1cchnmbn9x5rsbap8b15akfh7wj7pwskuzi7ahz8oq6cobd99d4r3b7';
const C = 'nano_1111111111111111111111111111111111111111111111111111hifc8npp';

const send: ConfirmedBlock = {
  account: A,
  amount: '5',
  hash: 'AB'.repeat(32),
  linkAsAccount: B,
  block: { type: 'state', account: A, link_as_account: B, subtype: 'send' },
  time: '1',
  electionInfo: { duration: '0' },
};
const legacy: ConfirmedBlock = { ...send, linkAsAccount: undefined, block: { type: 'send' } };
const none = () => false;

describe('websocket session (the node’s message handling)', () => {
  it('acks subscribe/unsubscribe only when asked, echoes a non-empty id, always answers ping', () => {
    const session = new Session();
    expect(session.handle({ action: 'subscribe', topic: 'confirmation' }, 7)).toBeUndefined();
    expect(JSON.parse(session.handle({ action: 'subscribe', topic: 'confirmation', ack: 'true', id: 'x' }, 7)!)).toEqual({
      ack: 'subscribe',
      time: '7',
      id: 'x',
    });
    expect(JSON.parse(session.handle({ action: 'ping' }, 8)!)).toEqual({ ack: 'pong', time: '8' });
    expect(session.handle({ action: 'subscribe', topic: 'nonsense', ack: true }, 9)).toBeUndefined();
    expect(session.handle({ action: 'dance', ack: true }, 9)).toBeUndefined();
    expect(JSON.parse(session.handle({ action: 'unsubscribe', topic: 'confirmation', ack: true }, 9)!)).toEqual({ ack: 'unsubscribe', time: '9' });
    expect(session.subscriptions.has('confirmation')).toBe(false);
  });

  it('filters by accounts (account or link_as_account), never passes legacy blocks or include_block false', () => {
    expect(passes(confirmationFilter(undefined), legacy, none)).toBe(true);
    expect(passes(confirmationFilter({}), send, none)).toBe(true);
    expect(passes(confirmationFilter({ accounts: [B] }), send, none)).toBe(true);
    expect(passes(confirmationFilter({ accounts: [A.replace('nano_', 'xrb_')] }), send, none)).toBe(true);
    expect(passes(confirmationFilter({ accounts: [C] }), send, none)).toBe(false);
    expect(passes(confirmationFilter({ accounts: [A] }), legacy, none)).toBe(false);
    expect(passes(confirmationFilter({ accounts: [A], include_block: 'false' }), send, none)).toBe(false);
    expect(passes(confirmationFilter({ accounts: [] }), send, none)).toBe(false);
    expect(passes(confirmationFilter({ all_local_accounts: 'true' }), send, (account) => account === B)).toBe(true);
    expect(passes(confirmationFilter({ confirmation_type: 'inactive' }), send, none)).toBe(false);
    expect(passes(confirmationFilter({ confirmation_type: 'Active' }), send, none)).toBe(true);
  });

  it('update adds and removes accounts of a confirmation subscription', () => {
    const session = new Session();
    expect(session.handle({ action: 'update', topic: 'confirmation', ack: true, options: { accounts_add: [A] } }, 1)).toBeUndefined();
    session.handle({ action: 'subscribe', topic: 'confirmation', options: { accounts: [C] } }, 1);
    expect(
      JSON.parse(session.handle({ action: 'update', topic: 'confirmation', ack: true, options: { accounts_add: [A], accounts_del: [C] } }, 2)!),
    ).toMatchObject({ ack: 'update' });
    const filter = session.subscriptions.get('confirmation')!;
    expect([...filter.accounts!]).toEqual([A]);
    expect(passes(filter, send, none)).toBe(true);
  });

  it('writes the node’s message shape, election info and block on request', () => {
    expect(JSON.parse(confirmationText(send, true, true))).toEqual({
      topic: 'confirmation',
      time: '1',
      message: { account: A, amount: '5', hash: send.hash, confirmation_type: 'active_quorum', election_info: { duration: '0' }, block: send.block },
    });
    expect(Object.keys(JSON.parse(confirmationText(send, false, false)).message)).toEqual(['account', 'amount', 'hash', 'confirmation_type']);
  });
});
