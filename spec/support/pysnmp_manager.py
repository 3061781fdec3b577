"""A manager from an independent stack (Debian's python3-pysnmp4) for
spec/interop_pysnmp_spec.lua: one operation against HOST:PORT, each
varbind printed as "OID TYPE VALUE" (pysnmp's names for the types, its
prettyPrint for the values), errors as "ERROR text".

    pysnmp_manager.py HOST PORT CREDENTIALS get|walk|set|trap|inform OID [TYPE VALUE]

CREDENTIALS is a v2c community, or v3:USER:AUTH_PASS:PRIV_PASS for authPriv
with SHA and AES-128.  walk is GETBULK (25 repetitions) to the subtree's end.
trap and inform send notification OID with one varbind,
1.3.6.1.4.1.99.17.9.0 = "hello" (an inform prints what was acknowledged).
"""
import sys

from pysnmp.hlapi import (CommunityData, ContextData, Integer32, ObjectIdentifier,
                          ObjectIdentity, ObjectType, OctetString, SnmpEngine,
                          UdpTransportTarget, UsmUserData, bulkCmd, getCmd,
                          sendNotification, setCmd, usmAesCfb128Protocol,
                          usmHMACSHAAuthProtocol)

host, port, credentials, mode, oid = sys.argv[1:6]
if credentials.startswith('v3:'):
    _, user, auth_pass, priv_pass = credentials.split(':')
    auth = UsmUserData(user, auth_pass, priv_pass, authProtocol=usmHMACSHAAuthProtocol,
                       privProtocol=usmAesCfb128Protocol)
else:
    auth = CommunityData(credentials, mpModel=1)
engine = SnmpEngine()
target = UdpTransportTarget((host, int(port)), timeout=2, retries=1)
thing = ObjectType(ObjectIdentity(oid))
if mode == 'get':
    operations = getCmd(engine, auth, target, ContextData(), thing, lookupMib=False)
elif mode == 'set':
    kind, text = sys.argv[6:8]
    value = Integer32(int(text)) if kind == 'int' else OctetString(text)
    operations = setCmd(engine, auth, target, ContextData(), ObjectType(ObjectIdentity(oid), value),
                        lookupMib=False)
elif mode in ('trap', 'inform'):
    operations = sendNotification(engine, auth, target, ContextData(), mode, [
        ObjectType(ObjectIdentity('1.3.6.1.6.3.1.1.4.1.0'), ObjectIdentifier(oid)),
        ObjectType(ObjectIdentity('1.3.6.1.4.1.99.17.9.0'), OctetString('hello'))],
        lookupMib=False)
else:
    operations = bulkCmd(engine, auth, target, ContextData(), 0, 25, thing,
                         lexicographicMode=False, lookupMib=False)
for error, status, index, varbinds in operations:
    if error or status:
        print('ERROR', error or status.prettyPrint())
        break
    for name, value in varbinds:
        print(name.prettyPrint(), value.__class__.__name__, value.prettyPrint())
