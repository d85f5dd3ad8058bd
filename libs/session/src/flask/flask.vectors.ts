// Cookies made by the real Flask 2.2.2 / itsdangerous 2.1.2 (Debian's python3-flask), with
// `python3 test/support/flask/app.py --sign` (Flask's own session serializer, its signing time
// fixed): the known answers the unit specs check this module's Flask format against.
// Test-only: excluded from the build like the other test helpers.

export const SECRET_A = 'flask-interop-vector-secret-A-0123456789';
export const SECRET_B = 'flask-interop-vector-secret-B-9876543210';
/** The signing time of every vector: 2023-11-14T22:13:20Z. */
export const SIGNED_AT_MS = 1_700_000_000_000;

/** `{"username": "alice", "logged_in": True}` under SECRET_A: Flask's login, not compressed. */
export const LOGIN = {
  cookie: 'eyJsb2dnZWRfaW4iOnRydWUsInVzZXJuYW1lIjoiYWxpY2UifQ.ZVPxAA.mIvagl-KW-B1WfPWrAUTuSXfYDA',
  data: { username: 'alice', logged_in: true },
};

/**
 * A permanent session of every tagged type but bytes, under SECRET_A, compressed by Flask:
 * `datetime(2024, 2, 29, 12, 0, 0)`, the tuple `(1, "x")`, a UUID, `Markup("<b>hi</b>")`,
 * the one-key dict `{" t": [1]}`, unicode, and nested numbers and None.
 */
export const RICH = {
  cookie:
    '.eJx1jU0LgkAQhv_K8p7X2l2zjyU61qmbp1JE2Q0FdxVzKQj_e2Oeg2EGnnk_Pih6O7jSWz9Cj0OwHPXoWugPmIPGsTrVzXFdnTBxNObHA3Gp4k2y3e3_3VnuZ_UDWq4S8kJHMbHOW2gf2pbj6cqWmqSNRDLLS0cv3LosCGErlgWzjw1tKwQ4OrO0m-Z3xqKAvst8ImdfNsMCZ8TxRk70VVu_OCg1rQNn6sDOFKyE2jCptBA07HJNMU1fdj1I-Q.ZVPxAA.IwNJ2Rs80yyhxIuDexMFWImoVtg',
  data: {
    when: new Date(Date.UTC(2024, 1, 29, 12, 0, 0)),
    pair: [1, 'x'],
    id: '12345678-1234-5678-1234-567812345678',
    html: '<b>hi</b>',
    odd: { ' t': [1] },
    name: 'Zoë 😀',
    n: { f: 1.5, i: -3, none: null, small: 1e-5 },
  },
  permanent: true,
};

/** `{"items": ["item-0", ..., "item-59"]}` under SECRET_A, compressed. */
export const COMPRESSED = {
  cookie:
    '.eJxF0TEOAjEMRNG7pAZp7fEAy1XQlhQUW0GHuDsSyD_dr-ZF8Xs8Xvf9Oa63XxyXcfhHdGSHOqrDHaeOc8elY2VwTrMdjAfrwXywHwCBEBCBkRg534-RGImRGImRGImRGMIQhuYnYQhDGMIQhjCEURiFURg1L4FRGIVRGIVRGMYwhjGM4XluDGMYwxhex_b5AmfYpDk.ZVPxAA.iU3ox_vgtISQkIhSPyTNf46-SUc',
  data: { items: Array.from({ length: 60 }, (_, i) => `item-${i}`) },
};

/** `{"raw": b"hi"}` under SECRET_A: bytes, which this module refuses. */
export const BYTES = { cookie: 'eyJyYXciOnsiIGIiOiJhR2s9In19.ZVPxAA.6hgR0irEsRJyOQWL8hhHWQ3sGhs' };

/** `{"user": "bob"}` under SECRET_A with the salt "other-salt". */
export const OTHER_SALT = {
  cookie: 'eyJ1c2VyIjoiYm9iIn0.ZVPxAA.IkdrFMOT9U_iEXoplJSR2zjJiHo',
  salt: 'other-salt',
  data: { user: 'bob' },
};

/** `{"user": "carol"}` under SECRET_B. */
export const UNDER_B = {
  cookie: 'eyJ1c2VyIjoiY2Fyb2wifQ.ZVPxAA.sLAqXwywazwXB5kDpDiP6nDqPEk',
  data: { user: 'carol' },
};
