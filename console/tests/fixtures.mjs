// Test data of the console's browser tests. The shop of domain.md §7
// example 2 comes from deploy/examples (tour-events*.jsonl, sent as they
// are); these builders add shops of other tenants and verdicts around it.

const at = (day, time = '08:00:00') => `${day}T${time}Z`;
let counter = 0;
const id = (prefix) => `${prefix}-${process.pid}-${(counter += 1)}`;

// A shop registered and paid, with its refund account on a different
// channel than the payment: R8 blocks it and ACCOUNT_MISMATCH fires at once.
export function mismatchedShop(tenant, shopId, day = '2026-03-01') {
  return [
    { eventId: id('reg'), tenant, shopId, occurredAt: at(day, '01:00:00'),
      shopRegistered: { profile: 'generic', site: 'US', legalEntityId: `${tenant}-ltd` } },
    { eventId: id('dep'), tenant, shopId, occurredAt: at(day, '02:00:00'),
      depositPaid: { paymentId: id('p'), kind: 'BASE', amount: { minorUnits: '30000', currency: 'CNY' },
        channel: 'bank', payingAccount: 'bank:corp-a' } },
    { eventId: id('acct'), tenant, shopId, occurredAt: at(day, '03:00:00'),
      refundAccountSet: { channel: 'bank', account: 'bank:corp-b', currency: 'CNY' } },
  ];
}

// A quiet operating shop: registered, paid, refund account matching.
export function quietShop(tenant, shopId, day = '2026-02-01') {
  return [
    { eventId: id('reg'), tenant, shopId, occurredAt: at(day, '01:00:00'),
      shopRegistered: { profile: 'generic', site: 'US', legalEntityId: `${tenant}-ltd` } },
    { eventId: id('dep'), tenant, shopId, occurredAt: at(day, '02:00:00'),
      depositPaid: { paymentId: id('p'), kind: 'BASE', amount: { minorUnits: '10000', currency: 'USD' },
        channel: 'paypal', payingAccount: `paypal:${shopId}` } },
    { eventId: id('acct'), tenant, shopId, occurredAt: at(day, '03:00:00'),
      refundAccountSet: { channel: 'paypal', account: `paypal:${shopId}`, currency: 'USD' } },
  ];
}

export const EXAMPLE_TENANT = 'acme';
export const EXAMPLE_SHOP = 'tts-us-001';
export const EXAMPLE_PATH = `/console/shops/${EXAMPLE_TENANT}/${EXAMPLE_SHOP}`;

// A TikTok Shop cross-border shop whose buyer says an order never arrived
// (72 h to answer: DISPUTE_RESPONSE_DUE with its due time and amount) and
// with a fine charged long ago and unpaid (UNPAID_FEES with its amount).
export function disputedShop(tenant, shopId, openedAt = '2026-03-02T20:00:00Z') {
  return [
    { eventId: id('reg'), tenant, shopId, occurredAt: '2026-01-10T01:00:00Z',
      shopRegistered: { profile: 'tiktok_shop_cross_border', site: 'US', legalEntityId: `${tenant}-ltd` } },
    { eventId: id('dep'), tenant, shopId, occurredAt: '2026-01-10T02:00:00Z',
      depositPaid: { paymentId: id('p'), kind: 'BASE', amount: { minorUnits: '50000', currency: 'USD' },
        channel: 'paypal', payingAccount: `paypal:${shopId}` } },
    { eventId: id('acct'), tenant, shopId, occurredAt: '2026-01-10T03:00:00Z',
      refundAccountSet: { channel: 'paypal', account: `paypal:${shopId}`, currency: 'USD' } },
    { eventId: id('fine'), tenant, shopId, occurredAt: '2026-02-10T00:00:00Z',
      feeCharged: { feeId: id('fine'), category: 'FINE', amount: { minorUnits: '8000', currency: 'USD' } } },
    { eventId: id('dsp'), tenant, shopId, occurredAt: openedAt,
      disputeOpened: { disputeId: id('nr'), kind: 'NOT_RECEIVED', orderId: '7001',
        amount: { minorUnits: '12000', currency: 'USD' } } },
  ];
}
