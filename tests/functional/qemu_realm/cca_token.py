# SPDX-License-Identifier: GPL-2.0-or-later
"""
Decode and verify the CCA attestation tokens that QEMU's TCG RMM issues.

The token is CBOR tag 399 around {44234: platform token, 44241: realm
token}; each is a COSE_Sign1 (tag 18 optional) signed with ES384.  The
realm token is verified with the RAK public key it carries, the platform
token with QEMU's documented software platform key, and the platform
token's challenge must be the hash of the RAK public key claim.
Needs Debian's python3-cbor2 and python3-cryptography.
"""

import hashlib

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import \
    encode_dss_signature

COLLECTION_TAG = 399
PLATFORM_TOKEN = 44234
REALM_TOKEN = 44241
COSE_SIGN1_TAG = 18
ALG_ES384 = -35

CHALLENGE = 10
PROFILE = 265
RPV = 44235
HASH_ALGO_ID = 44236
RAK_PUB = 44237
RIM = 44238
REMS = 44239
RAK_HASH_ALGO_ID = 44240

REALM_PROFILE = 'tag:arm.com,2023:realm#1.0.0'
PLATFORM_PROFILE = 'tag:arm.com,2023:cca_platform#1.0.0'

# QEMU's software platform attestation key (public part): see
# docs/system/arm/rme.rst.  It is not rooted in hardware.
PLATFORM_KEY_X = bytes.fromhex(
    '5a2837014e0a6edd08af2860cd3fc344147b0561201df1b3'
    'ab78e147f08f5735a8985b8350eae280e0fed2666d40dd55')
PLATFORM_KEY_Y = bytes.fromhex(
    '579a50395e47ede9cef9b4c8d9b0d5f920af063c9e328928'
    '7ce7e6d119c6e75e744e876b2e2390358012f147d886860d')

HASHES = {'sha-256': hashlib.sha256, 'sha-384': hashlib.sha384,
          'sha-512': hashlib.sha512}


class TokenError(Exception):
    pass


def p384_key(x, y):
    return ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, 'big'), int.from_bytes(y, 'big'),
        ec.SECP384R1()).public_key()


def platform_key():
    return p384_key(PLATFORM_KEY_X, PLATFORM_KEY_Y)


def rak_from_claim(raw):
    """The RAK from claim 44237: a COSE_Key or an uncompressed EC point."""
    if len(raw) == 97 and raw[0] == 4:
        return p384_key(raw[1:49], raw[49:])
    key = cbor2.loads(raw)
    if key.get(1) != 2 or key.get(-1) != 2:
        raise TokenError(f'RAK is not an EC2 P-384 COSE_Key: {key}')
    return p384_key(key[-2], key[-3])


def _untag(item, tag):
    if isinstance(item, cbor2.CBORTag):
        if item.tag != tag:
            raise TokenError(f'CBOR tag {item.tag}, expected {tag}')
        return item.value
    return item


def verify_sign1(raw, key):
    """Check a COSE_Sign1 with ES384 under @key; return its claims."""
    msg = _untag(cbor2.loads(raw), COSE_SIGN1_TAG)
    if not isinstance(msg, list) or len(msg) != 4:
        raise TokenError('not a COSE_Sign1 array')
    protected, _unprotected, payload, signature = msg
    if cbor2.loads(protected).get(1) != ALG_ES384:
        raise TokenError('COSE algorithm is not ES384')
    if len(signature) != 96:
        raise TokenError(f'ES384 signature of {len(signature)} bytes')
    tbs = cbor2.dumps(['Signature1', protected, b'', payload])
    der = encode_dss_signature(int.from_bytes(signature[:48], 'big'),
                               int.from_bytes(signature[48:], 'big'))
    try:
        key.verify(der, tbs, ec.ECDSA(hashes.SHA384()))
    except InvalidSignature as e:
        raise TokenError('COSE_Sign1 signature does not verify') from e
    return cbor2.loads(payload)


class CcaToken:
    """A verified token: .realm and .platform hold the claim maps."""

    def __init__(self, raw, platform_public_key=None):
        top = cbor2.loads(raw)
        if not isinstance(top, cbor2.CBORTag) or top.tag != COLLECTION_TAG:
            raise TokenError('not a CCA token collection (tag 399)')
        coll = top.value
        self.realm = verify_sign1(coll[REALM_TOKEN],
                                  rak_from_claim(
                                      self._peek_rak(coll[REALM_TOKEN])))
        self.platform = verify_sign1(coll[PLATFORM_TOKEN],
                                     platform_public_key or platform_key())
        if self.realm.get(PROFILE) != REALM_PROFILE:
            raise TokenError(f'realm profile {self.realm.get(PROFILE)}')
        rak_hash = HASHES[self.realm[RAK_HASH_ALGO_ID]]
        if self.platform[CHALLENGE] != rak_hash(self.realm[RAK_PUB]).digest():
            raise TokenError('the platform token does not bind the RAK')

    @staticmethod
    def _peek_rak(raw):
        msg = _untag(cbor2.loads(raw), COSE_SIGN1_TAG)
        return cbor2.loads(msg[2])[RAK_PUB]

    @property
    def challenge(self):
        return self.realm[CHALLENGE]

    @property
    def rim(self):
        return self.realm[RIM]

    @property
    def rems(self):
        return self.realm[REMS]

    @property
    def rpv(self):
        return self.realm[RPV]

    @property
    def hash_algo(self):
        return self.realm[HASH_ALGO_ID]
