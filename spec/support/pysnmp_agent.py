"""An SNMP agent from an independent stack (Debian's python3-pysnmp4), for
spec/interop_pysnmp_spec.lua: pysnmp's own command responder on
127.0.0.1:PORT serving its built-in MIB (SNMPv2-MIB, the SNMPv3 framework,
USM and VACM tables), v2c community "public" and 30 SNMPv3 users
user00..user29 (authPriv, SHA and AES-128, passphrases auth-pass-NN and
priv-pass-NN), so that usmUserTable has 30 rows of 13 columns.

    /usr/bin/python3 pysnmp_agent.py PORT READY_FILE

Writes "PORT" to READY_FILE once it listens; stops by itself after 300 s.
"""
import os
import signal
import sys

from pysnmp.carrier.asyncore.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context

port, ready = int(sys.argv[1]), sys.argv[2]
snmp = engine.SnmpEngine()
config.addTransport(snmp, udp.domainName,
                    udp.UdpTransport().openServerMode(('127.0.0.1', port)))
config.addV1System(snmp, 'area', 'public')
config.addVacmUser(snmp, 2, 'area', 'noAuthNoPriv', (1, 3, 6), (1, 3, 6))
for i in range(30):
    user = 'user%02d' % i
    config.addV3User(snmp, user,
                     config.usmHMACSHAAuthProtocol, 'auth-pass-%02d' % i,
                     config.usmAesCfb128Protocol, 'priv-pass-%02d' % i)
    config.addVacmUser(snmp, 3, user, 'authPriv', (1, 3, 6), (1, 3, 6))
snmp_context = context.SnmpContext(snmp)
cmdrsp.GetCommandResponder(snmp, snmp_context)
cmdrsp.NextCommandResponder(snmp, snmp_context)
cmdrsp.BulkCommandResponder(snmp, snmp_context)

signal.alarm(300)  # never outlive the spec run (valgrind runs are slow)
with open(ready + '.tmp', 'w') as f:
    f.write('%d\n' % port)
os.rename(ready + '.tmp', ready)
snmp.transportDispatcher.jobStarted(1)
snmp.transportDispatcher.runDispatcher()
