/*
 * winsnmp.h — the WinSNMP 2.0 API, implemented portably on Linux.
 *
 * Names, types and numeric constants follow Microsoft's WinSNMP 2.0
 * (winsnmp.h / wsnmp32.dll).  Everything that WinSNMP does not define is an
 * extension and carries the single prefix "Wsnmp" (functions, types) or
 * "WSNMP_" (constants).
 *
 * Handles are pointer-sized and opaque, as Windows' HANDLE: NULL (or
 * nullptr) is "no handle".  Their value encodes (kind, slot, generation);
 * it is never an object's address.  A stale, freed or forged handle is
 * reported as the matching SNMPAPI_*_INVALID and never reaches an object
 * that reused its slot.  Entity and context handles are reference-counted
 * as in Windows: SnmpStrToEntity/SnmpStrToContext with an equal string (in
 * one session and translate mode) return the same handle again, and each
 * SnmpFreeEntity/SnmpFreeContext balances one acquisition.
 *
 * Threads: the library takes one process-wide lock in every public entry
 * point, so a program's threads may call it, and the opt-in service thread
 * (WsnmpStartServiceThread) may run the poll loop and the callbacks
 * meanwhile.  Without that thread nothing runs behind the caller's back.
 */
#ifndef WINSNMP_H
#define WINSNMP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef WSNMP_API
#if defined(__GNUC__)
#define WSNMP_API __attribute__((visibility("default")))
#else
#define WSNMP_API
#endif
#endif

/* Microsoft's calling-convention names: empty on Linux. */
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef SNMPAPI_CALL
#define SNMPAPI_CALL
#endif

/* ---- Windows base types that the WinSNMP signatures use ---------------- */
#ifndef _WIN32
typedef void *HWND;
typedef unsigned int UINT;
typedef uintptr_t WPARAM;
typedef intptr_t LPARAM;
typedef void *LPVOID;
typedef const char *LPCSTR;
typedef char *LPSTR;
#endif

/* ---- SMI types (smiINT and smiUINT32 are exactly 32 bits) -------------- */
typedef int32_t smiINT;
typedef int32_t smiINT32;
typedef uint32_t smiUINT32;
typedef unsigned char smiBYTE;
typedef smiINT *smiLPINT;
typedef smiINT32 *smiLPINT32;
typedef smiUINT32 *smiLPUINT32;
typedef smiBYTE *smiLPBYTE;

typedef struct {
    smiUINT32 len;
    smiLPBYTE ptr;
} smiOCTETS, *smiLPOCTETS;
typedef const smiOCTETS *smiLPCOCTETS;
typedef smiOCTETS smiBITS, *smiLPBITS;
typedef smiOCTETS smiIPADDR, *smiLPIPADDR;
typedef smiOCTETS smiOPAQUE, *smiLPOPAQUE;
typedef smiOCTETS smiNSAPADDR, *smiLPNSAPADDR;

typedef struct {
    smiUINT32 len;
    smiLPUINT32 ptr;
} smiOID, *smiLPOID;
typedef const smiOID *smiLPCOID;

typedef struct {
    smiUINT32 hipart;
    smiUINT32 lopart;
} smiCNTR64, *smiLPCNTR64;

typedef smiUINT32 smiCNTR32, *smiLPCNTR32;
typedef smiUINT32 smiGAUGE32, *smiLPGAUGE32;
typedef smiUINT32 smiTIMETICKS, *smiLPTIMETICKS;

typedef struct {
    smiUINT32 syntax;
    union {
        smiINT sNumber;
        smiUINT32 uNumber;
        smiCNTR64 hNumber;
        smiOCTETS string;
        smiOID oid;
        smiBYTE empty;
    } value;
} smiVALUE, *smiLPVALUE;
typedef const smiVALUE *smiLPCVALUE;

#define MAXVENDORINFO 32
typedef struct {
    char vendorName[MAXVENDORINFO * 2];
    char vendorContact[MAXVENDORINFO * 2];
    char vendorVersionId[MAXVENDORINFO];
    char vendorVersionDate[MAXVENDORINFO];
    smiUINT32 vendorEnterprise;
} smiVENDORINFO, *smiLPVENDORINFO;

typedef smiUINT32 SNMPAPI_STATUS;

/* Handles: opaque and pointer-sized, as Microsoft's header types them
 * (HANDLE); NULL is "no handle".  The value packs (kind, generation, slot);
 * WSNMP_HANDLE_VALUE gives it as a number (for printing or hashing) and
 * WSNMP_HANDLE_FROM_VALUE turns such a number back into a handle. */
typedef void *HSNMP_SESSION, **LPHSNMP_SESSION;
typedef void *HSNMP_ENTITY, **LPHSNMP_ENTITY;
typedef void *HSNMP_CONTEXT, **LPHSNMP_CONTEXT;
typedef void *HSNMP_PDU, **LPHSNMP_PDU;
typedef void *HSNMP_VBL, **LPHSNMP_VBL;
#define WSNMP_HANDLE_VALUE(h) ((uint64_t)(uintptr_t)(h))
#define WSNMP_HANDLE_FROM_VALUE(v) ((void *)(uintptr_t)(uint64_t)(v))

typedef SNMPAPI_STATUS(CALLBACK *SNMPAPI_CALLBACK)(HSNMP_SESSION hSession, HWND hWnd, UINT wMsg,
                                                   WPARAM wParam, LPARAM lParam,
                                                   LPVOID lpClientData);

/* ---- ASN.1 and syntax constants ----------------------------------------- */
/* net-snmp defines the ASN.1 and trap constants too, with equal values. */
#ifndef ASN_UNIVERSAL
#define ASN_UNIVERSAL 0x00
#define ASN_APPLICATION 0x40
#define ASN_CONTEXT 0x80
#define ASN_PRIVATE 0xC0
#define ASN_PRIMITIVE 0x00
#define ASN_CONSTRUCTOR 0x20
#endif

#define SNMP_SYNTAX_SEQUENCE 0x30
#define SNMP_SYNTAX_INT 0x02
#define SNMP_SYNTAX_BITS 0x03
#define SNMP_SYNTAX_OCTETS 0x04
#define SNMP_SYNTAX_NULL 0x05
#define SNMP_SYNTAX_OID 0x06
#define SNMP_SYNTAX_INT32 SNMP_SYNTAX_INT
#define SNMP_SYNTAX_IPADDR 0x40
#define SNMP_SYNTAX_CNTR32 0x41
#define SNMP_SYNTAX_GAUGE32 0x42
#define SNMP_SYNTAX_TIMETICKS 0x43
#define SNMP_SYNTAX_OPAQUE 0x44
#define SNMP_SYNTAX_NSAPADDR 0x45
#define SNMP_SYNTAX_CNTR64 0x46
#define SNMP_SYNTAX_UINT32 0x47
#define SNMP_SYNTAX_UNSIGNED32 SNMP_SYNTAX_GAUGE32
#define SNMP_SYNTAX_NOSUCHOBJECT 0x80
#define SNMP_SYNTAX_NOSUCHINSTANCE 0x81
#define SNMP_SYNTAX_ENDOFMIBVIEW 0x82

/* ---- PDU types ---------------------------------------------------------- */
#define SNMP_PDU_GET 0xA0
#define SNMP_PDU_GETNEXT 0xA1
#define SNMP_PDU_RESPONSE 0xA2
#define SNMP_PDU_SET 0xA3
#define SNMP_PDU_V1TRAP 0xA4
#define SNMP_PDU_GETBULK 0xA5
#define SNMP_PDU_INFORM 0xA6
#define SNMP_PDU_TRAP 0xA7

/* ---- PDU error_status values -------------------------------------------- */
#define SNMP_ERROR_NOERROR 0
#define SNMP_ERROR_TOOBIG 1
#define SNMP_ERROR_NOSUCHNAME 2
#define SNMP_ERROR_BADVALUE 3
#define SNMP_ERROR_READONLY 4
#define SNMP_ERROR_GENERR 5
#define SNMP_ERROR_NOACCESS 6
#define SNMP_ERROR_WRONGTYPE 7
#define SNMP_ERROR_WRONGLENGTH 8
#define SNMP_ERROR_WRONGENCODING 9
#define SNMP_ERROR_WRONGVALUE 10
#define SNMP_ERROR_NOCREATION 11
#define SNMP_ERROR_INCONSISTENTVALUE 12
#define SNMP_ERROR_RESOURCEUNAVAILABLE 13
#define SNMP_ERROR_COMMITFAILED 14
#define SNMP_ERROR_UNDOFAILED 15
#define SNMP_ERROR_AUTHORIZATIONERROR 16
#define SNMP_ERROR_NOTWRITABLE 17
#define SNMP_ERROR_INCONSISTENTNAME 18

/* ---- Generic trap values ------------------------------------------------ */
#ifndef SNMP_TRAP_COLDSTART
#define SNMP_TRAP_COLDSTART 0
#define SNMP_TRAP_WARMSTART 1
#define SNMP_TRAP_LINKDOWN 2
#define SNMP_TRAP_LINKUP 3
#define SNMP_TRAP_AUTHFAIL 4
#define SNMP_TRAP_EGPNEIGHBORLOSS 5
#define SNMP_TRAP_ENTERPRISESPECIFIC 6
#endif

/* ---- Limits, levels and modes ------------------------------------------- */
#define MAXOBJIDSIZE 128
#define MAXOBJIDSTRSIZE 1408

#define SNMPAPI_NO_SUPPORT 0
#define SNMPAPI_V1_SUPPORT 1
#define SNMPAPI_V2_SUPPORT 2
#define SNMPAPI_M2M_SUPPORT 3

#define SNMPAPI_TRANSLATED 0
#define SNMPAPI_UNTRANSLATED_V1 1
#define SNMPAPI_UNTRANSLATED_V2 2

#define SNMPAPI_OFF 0
#define SNMPAPI_ON 1

#define SNMPLISTEN_USEENTITY_ADDR 0
#define SNMPLISTEN_ALL_ADDR 1

/* ---- API status and error codes ----------------------------------------- */
#define SNMPAPI_FAILURE 0
#define SNMPAPI_SUCCESS 1
#define SNMPAPI_ALLOC_ERROR 2
#define SNMPAPI_CONTEXT_INVALID 3
#define SNMPAPI_CONTEXT_UNKNOWN 4
#define SNMPAPI_ENTITY_INVALID 5
#define SNMPAPI_ENTITY_UNKNOWN 6
#define SNMPAPI_INDEX_INVALID 7
#define SNMPAPI_NOOP 8
#define SNMPAPI_OID_INVALID 9
#define SNMPAPI_OPERATION_INVALID 10
#define SNMPAPI_OUTPUT_TRUNCATED 11
#define SNMPAPI_PDU_INVALID 12
#define SNMPAPI_SESSION_INVALID 13
#define SNMPAPI_SYNTAX_INVALID 14
#define SNMPAPI_VBL_INVALID 15
#define SNMPAPI_MODE_INVALID 16
#define SNMPAPI_SIZE_INVALID 17
#define SNMPAPI_NOT_INITIALIZED 18
#define SNMPAPI_MESSAGE_INVALID 19
#define SNMPAPI_HWND_INVALID 20
#define SNMPAPI_OTHER_ERROR 99
#define SNMPAPI_TL_NOT_INITIALIZED 100
#define SNMPAPI_TL_NOT_SUPPORTED 101
#define SNMPAPI_TL_NOT_AVAILABLE 102
#define SNMPAPI_TL_RESOURCE_ERROR 103
#define SNMPAPI_TL_UNDELIVERABLE 104
#define SNMPAPI_TL_SRC_INVALID 105
#define SNMPAPI_TL_INVALID_PARAM 106
#define SNMPAPI_TL_IN_USE 107
#define SNMPAPI_TL_TIMEOUT 108
#define SNMPAPI_TL_PDU_TOO_BIG 109
#define SNMPAPI_TL_OTHER 199

/* ======================================================================== */
/* WinSNMP 2.0 functions                                                    */
/* ======================================================================== */

/* Startup and local settings */
WSNMP_API SNMPAPI_STATUS SnmpStartup(smiLPUINT32 nMajorVersion, smiLPUINT32 nMinorVersion,
                                     smiLPUINT32 nLevel, smiLPUINT32 nTranslateMode,
                                     smiLPUINT32 nRetransmitMode);
WSNMP_API SNMPAPI_STATUS SnmpStartupEx(smiLPUINT32 nMajorVersion, smiLPUINT32 nMinorVersion,
                                       smiLPUINT32 nLevel, smiLPUINT32 nTranslateMode,
                                       smiLPUINT32 nRetransmitMode);
WSNMP_API SNMPAPI_STATUS SnmpCleanup(void);
WSNMP_API SNMPAPI_STATUS SnmpCleanupEx(void);
typedef SNMPAPI_STATUS(SNMPAPI_CALL *PFNSNMPSTARTUPEX)(smiLPUINT32, smiLPUINT32, smiLPUINT32,
                                                       smiLPUINT32, smiLPUINT32);
typedef SNMPAPI_STATUS(SNMPAPI_CALL *PFNSNMPCLEANUPEX)(void);
WSNMP_API SNMPAPI_STATUS SnmpGetVendorInfo(smiLPVENDORINFO vendorInfo);
WSNMP_API SNMPAPI_STATUS SnmpGetTranslateMode(smiLPUINT32 nTranslateMode);
WSNMP_API SNMPAPI_STATUS SnmpSetTranslateMode(smiUINT32 nTranslateMode);
WSNMP_API SNMPAPI_STATUS SnmpGetRetransmitMode(smiLPUINT32 nRetransmitMode);
WSNMP_API SNMPAPI_STATUS SnmpSetRetransmitMode(smiUINT32 nRetransmitMode);
WSNMP_API SNMPAPI_STATUS SnmpGetTimeout(HSNMP_ENTITY hEntity, smiLPTIMETICKS nPolicyTimeout,
                                        smiLPTIMETICKS nActualTimeout);
WSNMP_API SNMPAPI_STATUS SnmpSetTimeout(HSNMP_ENTITY hEntity, smiTIMETICKS nPolicyTimeout);
WSNMP_API SNMPAPI_STATUS SnmpGetRetry(HSNMP_ENTITY hEntity, smiLPUINT32 nPolicyRetry,
                                      smiLPUINT32 nActualRetry);
WSNMP_API SNMPAPI_STATUS SnmpSetRetry(HSNMP_ENTITY hEntity, smiUINT32 nPolicyRetry);

/* Sessions */
WSNMP_API HSNMP_SESSION SnmpOpen(HWND hWnd, UINT wMsg);
WSNMP_API HSNMP_SESSION SnmpCreateSession(HWND hWnd, UINT wMsg, SNMPAPI_CALLBACK fCallBack,
                                          LPVOID lpClientData);
WSNMP_API SNMPAPI_STATUS SnmpClose(HSNMP_SESSION session);
WSNMP_API SNMPAPI_STATUS SnmpGetLastError(HSNMP_SESSION session);

/* Communications */
WSNMP_API SNMPAPI_STATUS SnmpSendMsg(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                     HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context, HSNMP_PDU PDU);
WSNMP_API SNMPAPI_STATUS SnmpRecvMsg(HSNMP_SESSION session, LPHSNMP_ENTITY srcEntity,
                                     LPHSNMP_ENTITY dstEntity, LPHSNMP_CONTEXT context,
                                     LPHSNMP_PDU PDU);
WSNMP_API SNMPAPI_STATUS SnmpCancelMsg(HSNMP_SESSION session, smiINT32 reqId);
WSNMP_API SNMPAPI_STATUS SnmpEncodeMsg(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                       HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context, HSNMP_PDU PDU,
                                       smiLPOCTETS msgBufDesc);
WSNMP_API SNMPAPI_STATUS SnmpDecodeMsg(HSNMP_SESSION session, LPHSNMP_ENTITY srcEntity,
                                       LPHSNMP_ENTITY dstEntity, LPHSNMP_CONTEXT context,
                                       LPHSNMP_PDU PDU, smiLPCOCTETS msgPtr);

/* Notifications and the agent role */
WSNMP_API SNMPAPI_STATUS SnmpRegister(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                      HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context,
                                      smiLPCOID notification, smiUINT32 state);
WSNMP_API SNMPAPI_STATUS SnmpListen(HSNMP_ENTITY hEntity, SNMPAPI_STATUS lStatus);
/* nUseEntityAddr: SNMPLISTEN_USEENTITY_ADDR binds the entity's address,
 * SNMPLISTEN_ALL_ADDR the wildcard address of its family (its port). */
WSNMP_API SNMPAPI_STATUS SnmpListenEx(HSNMP_ENTITY hEntity, SNMPAPI_STATUS lStatus,
                                      smiUINT32 nUseEntityAddr);

/* Entities and contexts */
WSNMP_API HSNMP_ENTITY SnmpStrToEntity(HSNMP_SESSION session, LPCSTR string);
WSNMP_API SNMPAPI_STATUS SnmpEntityToStr(HSNMP_ENTITY entity, smiUINT32 size, LPSTR string);
WSNMP_API SNMPAPI_STATUS SnmpFreeEntity(HSNMP_ENTITY entity);
WSNMP_API SNMPAPI_STATUS SnmpSetPort(HSNMP_ENTITY hEntity, UINT nPort);
WSNMP_API HSNMP_CONTEXT SnmpStrToContext(HSNMP_SESSION session, smiLPCOCTETS string);
WSNMP_API SNMPAPI_STATUS SnmpContextToStr(HSNMP_CONTEXT context, smiLPOCTETS string);
WSNMP_API SNMPAPI_STATUS SnmpFreeContext(HSNMP_CONTEXT context);

/* PDUs */
WSNMP_API HSNMP_PDU SnmpCreatePdu(HSNMP_SESSION session, smiINT PDU_type, smiINT32 request_id,
                                  smiINT error_status, smiINT error_index, HSNMP_VBL varbindlist);
WSNMP_API SNMPAPI_STATUS SnmpGetPduData(HSNMP_PDU PDU, smiLPINT PDU_type, smiLPINT32 request_id,
                                        smiLPINT error_status, smiLPINT error_index,
                                        LPHSNMP_VBL varbindlist);
WSNMP_API SNMPAPI_STATUS SnmpSetPduData(HSNMP_PDU PDU, const smiINT *PDU_type,
                                        const smiINT32 *request_id, const smiINT *non_repeaters,
                                        const smiINT *max_repetitions,
                                        const HSNMP_VBL *varbindlist);
WSNMP_API HSNMP_PDU SnmpDuplicatePdu(HSNMP_SESSION session, HSNMP_PDU PDU);
WSNMP_API SNMPAPI_STATUS SnmpFreePdu(HSNMP_PDU PDU);

/* Variable-binding lists (indexes start at 1; index 0 appends in SnmpSetVb) */
WSNMP_API HSNMP_VBL SnmpCreateVbl(HSNMP_SESSION session, smiLPCOID name, smiLPCVALUE value);
WSNMP_API HSNMP_VBL SnmpDuplicateVbl(HSNMP_SESSION session, HSNMP_VBL vbl);
WSNMP_API SNMPAPI_STATUS SnmpFreeVbl(HSNMP_VBL vbl);
WSNMP_API SNMPAPI_STATUS SnmpCountVbl(HSNMP_VBL vbl);
WSNMP_API SNMPAPI_STATUS SnmpGetVb(HSNMP_VBL vbl, smiUINT32 index, smiLPOID name, smiLPVALUE value);
WSNMP_API SNMPAPI_STATUS SnmpSetVb(HSNMP_VBL vbl, smiUINT32 index, smiLPCOID name,
                                   smiLPCVALUE value);
WSNMP_API SNMPAPI_STATUS SnmpDeleteVb(HSNMP_VBL vbl, smiUINT32 index);

/* OIDs and descriptors */
WSNMP_API SNMPAPI_STATUS SnmpStrToOid(LPCSTR string, smiLPOID dstOID);
WSNMP_API SNMPAPI_STATUS SnmpOidToStr(smiLPCOID srcOID, smiUINT32 size, LPSTR string);
WSNMP_API SNMPAPI_STATUS SnmpOidCopy(smiLPCOID srcOID, smiLPOID dstOID);
WSNMP_API SNMPAPI_STATUS SnmpOidCompare(smiLPCOID xOID, smiLPCOID yOID, smiUINT32 maxlen,
                                        smiLPINT result);
WSNMP_API SNMPAPI_STATUS SnmpFreeDescriptor(smiUINT32 syntax, smiLPOPAQUE descriptor);

/* ======================================================================== */
/* Extensions (prefix Wsnmp / WSNMP_)                                       */
/* ======================================================================== */

/* Handle kinds, as reported by WsnmpHandleKind. */
#define WSNMP_KIND_NONE 0
#define WSNMP_KIND_SESSION 1
#define WSNMP_KIND_ENTITY 2
#define WSNMP_KIND_CONTEXT 3
#define WSNMP_KIND_PDU 4
#define WSNMP_KIND_VBL 5

/* SNMP message versions of an entity. */
#define WSNMP_VERSION_1 1
#define WSNMP_VERSION_2C 2
#define WSNMP_VERSION_3 3

/* USM security levels and protocols. */
#define WSNMP_LEVEL_NOAUTH_NOPRIV 1
#define WSNMP_LEVEL_AUTH_NOPRIV 2
#define WSNMP_LEVEL_AUTH_PRIV 3

#define WSNMP_AUTH_NONE 0
#define WSNMP_AUTH_MD5 1
#define WSNMP_AUTH_SHA 2
#define WSNMP_AUTH_SHA224 3
#define WSNMP_AUTH_SHA256 4
#define WSNMP_AUTH_SHA384 5
#define WSNMP_AUTH_SHA512 6

#define WSNMP_PRIV_NONE 0
#define WSNMP_PRIV_DES 1
#define WSNMP_PRIV_AES 2
#define WSNMP_PRIV_AES192 3
#define WSNMP_PRIV_AES256 4

/* Longest entity address string, friendly name or USM user name accepted. */
#define WSNMP_MAX_ADDRESS 256
#define WSNMP_MAX_NAME 128
/* Longest community or context name accepted, and longest octet value. */
#define WSNMP_MAX_CONTEXT 1024
#define WSNMP_MAX_OCTETS 65535
/* Most varbinds a VBL, or a received message, may hold. */
#define WSNMP_MAX_VARBINDS 16384

/* Live object counts, for the process (session 0) or one session. */
typedef struct {
    smiUINT32 sessions;
    smiUINT32 entities;
    smiUINT32 contexts;
    smiUINT32 pdus;
    smiUINT32 vbls;
    smiUINT32 pending;       /* requests in flight */
    smiUINT32 registrations; /* notification registrations and listeners */
    smiUINT32 descriptors;   /* library-owned descriptors not yet freed */
    smiUINT32 dropped;       /* datagrams ignored: malformed, spoofed, late (process only) */
    smiUINT32 queue_dropped; /* notifications/requests dropped on a full queue (process) */
    /* SNMPv3 messages the USM refused, as RFC 3414's usmStats count them
     * (process only): each refusal of a request or inform is reported. */
    smiUINT32 usm_unsupported_sec_levels, usm_not_in_time_windows, usm_unknown_users,
        usm_unknown_engine_ids, usm_wrong_digests, usm_decryption_errors;
    smiUINT32 agentx; /* AgentX master connections (WsnmpAgentxConnect) */
} WsnmpStats;

/* Resource limits.  Exceeding one fails with SNMPAPI_ALLOC_ERROR. */
typedef struct {
    smiUINT32 sessions;            /* live sessions in the process */
    smiUINT32 handles;             /* live entities+contexts+PDUs+VBLs in the process */
    smiUINT32 handles_per_session; /* the same, owned by one session */
    smiUINT32 pending;             /* requests in flight in the process */
    smiUINT32 queue_bytes;         /* bytes of received notifications and requests one
                                      session may hold before new ones are dropped */
} WsnmpLimits;

/* v3 (USM) credentials of an entity.  Strings are NUL-terminated. */
typedef struct {
    const char *user;
    int level; /* WSNMP_LEVEL_* */
    int auth;  /* WSNMP_AUTH_* */
    const char *auth_pass;
    int priv; /* WSNMP_PRIV_* */
    const char *priv_pass;
    smiOCTETS context; /* default context name (may be empty) */
} WsnmpUsm;

/* A friendly-name record (translate mode SNMPAPI_TRANSLATED). */
typedef struct {
    const char *address;  /* literal address, as SnmpStrToEntity accepts */
    int version;          /* WSNMP_VERSION_*, 0 for the default (2c) */
    smiOCTETS community;  /* default community; len 0 for "public" */
    WsnmpUsm usm;         /* v3 only; usm.user NULL otherwise */
    smiUINT32 timeout_ms; /* 0 for the library default */
    smiUINT32 retries;    /* WSNMP_DEFAULT for the library default */
} WsnmpAgent;
#define WSNMP_DEFAULT 0xFFFFFFFFu

/* Library defaults for a new entity. */
#define WSNMP_DEFAULT_TIMEOUT_MS 1000u
#define WSNMP_DEFAULT_RETRIES 3u

/* Errors and diagnostics. */
WSNMP_API const char *WsnmpErrorName(SNMPAPI_STATUS code);    /* NULL if unknown */
WSNMP_API SNMPAPI_STATUS WsnmpErrorCode(const char *name);    /* 0 if unknown */
WSNMP_API const char *WsnmpPduErrorName(smiINT error_status); /* "SNMP_ERROR_..." */
/* Human-readable text for the last error of a session (0: process-wide).
 * Never contains a community string or a v3 passphrase. */
WSNMP_API const char *WsnmpGetLastErrorMessage(HSNMP_SESSION session);
/* Records a failure found outside the core (e.g. in a language binding) in
 * the session's slot (if session is valid) and the process-wide slot. */
WSNMP_API SNMPAPI_STATUS WsnmpSetLastError(HSNMP_SESSION session, SNMPAPI_STATUS code,
                                           const char *message);

/* Names used in configuration: "1"/"2c"/"3", "noAuthNoPriv"/"authNoPriv"/
 * "authPriv", "MD5"/"SHA"/"SHA-224".../"SHA-512", "DES"/"AES"/"AES-192"/
 * "AES-256" (case-insensitive).  Each returns the WSNMP_* value or -1. */
WSNMP_API int WsnmpVersionByName(const char *name);
WSNMP_API int WsnmpLevelByName(const char *name);
WSNMP_API int WsnmpAuthByName(const char *name);
WSNMP_API int WsnmpPrivByName(const char *name);
WSNMP_API const char *WsnmpVersionName(int version); /* "1", "2c", "3" or NULL */

/* Sessions.  Like SnmpCreateSession in callback mode, but fCallBack may be
 * NULL: messages are then only queued for SnmpRecvMsg. */
WSNMP_API HSNMP_SESSION WsnmpCreateSession(SNMPAPI_CALLBACK fCallBack, LPVOID lpClientData);

/* Driving I/O without hidden threads.  WsnmpPoll waits up to timeout_ms
 * (-1: until something happens) for replies, runs retransmission timers,
 * queues messages and failures, then calls the session callbacks; *handled
 * receives the number of events.  It must not be called from a callback. */
WSNMP_API SNMPAPI_STATUS WsnmpPoll(smiINT32 timeout_ms, smiUINT32 *handled);
/* The opt-in service thread, for programs ported from Windows, where
 * wsnmp32.dll calls session callbacks from its own thread while the program
 * blocks (WaitForSingleObject, a message loop, getchar).  Started by the
 * program, never by the library: it runs WsnmpPoll's loop (I/O, timers,
 * callbacks) until stopped or SnmpCleanup.  Every public function takes a
 * process-wide lock, so the program's threads may call the library
 * meanwhile; callbacks run on the service thread with the lock held (a call
 * from another thread waits until the callback returns).  WsnmpPoll from
 * another thread fails with SNMPAPI_OPERATION_INVALID while it runs.
 * Starting it twice, or stopping it when not running: SNMPAPI_NOOP. */
WSNMP_API SNMPAPI_STATUS WsnmpStartServiceThread(void);
WSNMP_API SNMPAPI_STATUS WsnmpStopServiceThread(void);
WSNMP_API int WsnmpServiceThreadRunning(void);
/* The descriptors an external event loop should watch for reading, and
 * the milliseconds until WsnmpPoll must run anyway (-1: no deadline). */
WSNMP_API SNMPAPI_STATUS WsnmpGetPollFds(int *fds, smiUINT32 capacity, smiUINT32 *count,
                                         smiINT32 *timeout_ms);
/* Sends a request built from arrays of names and values (borrowed for the
 * call), without VBL or PDU handles: SnmpCreateVbl + SnmpCreatePdu +
 * SnmpSendMsg in one step, for hot paths.  *request_id receives the id. */
WSNMP_API SNMPAPI_STATUS WsnmpSendRequest(HSNMP_SESSION session, HSNMP_ENTITY dstEntity,
                                          HSNMP_CONTEXT context, smiINT type, smiUINT32 count,
                                          const smiOID *names, const smiVALUE *values,
                                          smiINT non_repeaters, smiINT max_repetitions,
                                          smiINT32 *request_id);
/* Dequeues the outcome of one request: SUCCESS with its response PDU, or
 * FAILURE with the request's error (SNMPAPI_TL_TIMEOUT...), or FAILURE with
 * SNMPAPI_NOOP while it is still in flight. */
WSNMP_API SNMPAPI_STATUS WsnmpRecvResponse(HSNMP_SESSION session, smiINT32 request_id,
                                           LPHSNMP_PDU PDU);

/* Notifications.  SnmpRegister's srcEntity is the local address to
 * receive on (NULL: udp:0.0.0.0:162); dstEntity filters on the sender's
 * address (any port), context on the community (v3: context name),
 * notification on a prefix of snmpTrapOID.  WsnmpRegister also accepts a
 * USM user whose v3 notifications are accepted, and returns the
 * registration's id (for WsnmpUnregister and WsnmpMsgInfo). */
WSNMP_API SNMPAPI_STATUS WsnmpRegister(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                       HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context,
                                       smiLPCOID notification, smiUINT32 state,
                                       const WsnmpUsm *v3user, smiUINT32 *registration_id);
WSNMP_API SNMPAPI_STATUS WsnmpUnregister(HSNMP_SESSION session, smiUINT32 registration_id);
/* The address a listening entity is bound to (its real port if it asked
 * for port 0). */
WSNMP_API SNMPAPI_STATUS WsnmpGetListenAddress(HSNMP_ENTITY entity, smiUINT32 size, LPSTR out);

/* The id of the listener an entity opened (WsnmpMsgInfo.listener), or 0. */
WSNMP_API smiUINT32 WsnmpListenerOf(HSNMP_ENTITY entity);

/* What a received message is, for WsnmpRecvMsgEx. */
#define WSNMP_MSG_RESPONSE 0     /* a reply to, or failure of, a request sent */
#define WSNMP_MSG_NOTIFICATION 1 /* a trap or inform (in v2 form) */
#define WSNMP_MSG_REQUEST 2      /* a request to a listening entity */
#define WSNMP_MAX_MATCHES 16
typedef struct {
    int kind; /* WSNMP_MSG_* */
    smiINT32 request_id;
    smiUINT32 listener; /* notifications and requests: the listener's id */
    smiUINT32 registration_count;
    smiUINT32 registrations[WSNMP_MAX_MATCHES]; /* notifications: who matched */
    /* SNMPv3: the user and the level (WSNMP_LEVEL_*) it came with */
    char user[WSNMP_MAX_NAME];
    int level;
    smiINT32 max_size; /* SNMPv3: the sender's msgMaxSize (the largest answer it takes) */
    /* SNMPv3 notifications: the contextEngineID they came with, which
     * RFC 3413 makes the sender's snmpEngineID (5 to 32 octets) */
    smiBYTE engine_id[32];
    smiUINT32 engine_id_len;
} WsnmpMsgInfo;
/* SnmpRecvMsg for the kinds in `kinds` (a mask of 1 << WSNMP_MSG_*). */
WSNMP_API SNMPAPI_STATUS WsnmpRecvMsgEx(HSNMP_SESSION session, smiUINT32 kinds, WsnmpMsgInfo *info,
                                        LPHSNMP_ENTITY srcEntity, LPHSNMP_ENTITY dstEntity,
                                        LPHSNMP_CONTEXT context, LPHSNMP_PDU PDU);

/* SnmpStrToEntity and SnmpStrToContext with flags.  WSNMP_PRIVATE makes a
 * handle no later call returns again for an equal string (its settings are
 * its holder's alone); it is still reference-counted (SnmpRecvMsg returns
 * it again for the responses to requests sent to it). */
#define WSNMP_PRIVATE 1u
WSNMP_API HSNMP_ENTITY WsnmpStrToEntityEx(HSNMP_SESSION session, LPCSTR string, smiUINT32 flags);
WSNMP_API HSNMP_CONTEXT WsnmpStrToContextEx(HSNMP_SESSION session, smiLPCOCTETS string,
                                            smiUINT32 flags);

/* Handle introspection.  Never sets an error. */
WSNMP_API int WsnmpHandleKind(const void *handle);            /* WSNMP_KIND_*, NONE if not live */
WSNMP_API HSNMP_SESSION WsnmpHandleOwner(const void *handle); /* NULL if not live */
/* How many acquisitions an entity or context handle holds (SnmpStrToEntity,
 * SnmpStrToContext, SnmpRecvMsg each add one; each Free takes one); 1 for
 * the other kinds; 0 if not live. */
WSNMP_API smiUINT32 WsnmpHandleRefs(const void *handle);
WSNMP_API int WsnmpIsStarted(void);

/* Accounting. */
WSNMP_API SNMPAPI_STATUS WsnmpGetStats(HSNMP_SESSION session, WsnmpStats *stats);
WSNMP_API SNMPAPI_STATUS WsnmpGetLimits(WsnmpLimits *limits);
WSNMP_API SNMPAPI_STATUS WsnmpSetLimits(const WsnmpLimits *limits);

/* Entity settings beyond WinSNMP. */
WSNMP_API SNMPAPI_STATUS WsnmpGetEntityVersion(HSNMP_ENTITY entity, int *version);
WSNMP_API SNMPAPI_STATUS WsnmpSetEntityVersion(HSNMP_ENTITY entity, int version);
WSNMP_API SNMPAPI_STATUS WsnmpSetEntityCommunity(HSNMP_ENTITY entity, smiLPCOCTETS community);
WSNMP_API SNMPAPI_STATUS WsnmpSetEntityUsm(HSNMP_ENTITY entity, const WsnmpUsm *usm);
WSNMP_API SNMPAPI_STATUS WsnmpGetTimeoutMs(HSNMP_ENTITY entity, smiUINT32 *timeout_ms);
WSNMP_API SNMPAPI_STATUS WsnmpSetTimeoutMs(HSNMP_ENTITY entity, smiUINT32 timeout_ms);
/* Exactly n retries (SnmpSetRetry's 0 means "library default"). */
WSNMP_API SNMPAPI_STATUS WsnmpSetRetries(HSNMP_ENTITY entity, smiUINT32 retries);
/* Timeout multiplier per retransmission (1 .. 10; 1, the default, keeps
 * the timeout; 2 doubles it at each retry). */
WSNMP_API SNMPAPI_STATUS WsnmpSetEntityBackoff(HSNMP_ENTITY entity, double factor);
/* Accept a reply to this entity's requests from any address (multi-homed
 * agents) when it matches the request id and the community (v1/v2c) or
 * authenticates as the request's user (v3 at authNoPriv or above). */
WSNMP_API SNMPAPI_STATUS WsnmpSetEntityAnySource(HSNMP_ENTITY entity, smiINT on);
/* What the requests sent to an entity have met since it was created. */
typedef struct {
    uint64_t requests;  /* sent (first transmissions) */
    uint64_t responses; /* replies accepted */
    uint64_t timeouts;  /* requests that failed with SNMPAPI_TL_TIMEOUT */
    uint64_t retries;   /* retransmissions */
    uint64_t too_big;   /* replies with error-status tooBig */
    smiUINT32 in_flight;
    double rtt_avg, rtt_max; /* seconds, from the last transmission to the reply */
} WsnmpEntityStats;
WSNMP_API SNMPAPI_STATUS WsnmpGetEntityStats(HSNMP_ENTITY entity, WsnmpEntityStats *stats);
/* The literal address in canonical form, "udp:127.0.0.1:161",
 * "udp6:[::1]:161", "tcp:host:161"; like SnmpEntityToStr otherwise. */
WSNMP_API SNMPAPI_STATUS WsnmpEntityAddress(HSNMP_ENTITY entity, smiUINT32 size, LPSTR string);

/* Zero-copy reading of a PDU's varbinds (1-based): pointers into the PDU,
 * valid until it is changed or freed.  *count receives the number. */
WSNMP_API SNMPAPI_STATUS WsnmpPduVarbindCount(HSNMP_PDU pdu, smiUINT32 *count);
WSNMP_API SNMPAPI_STATUS WsnmpPeekPduVb(HSNMP_PDU pdu, smiUINT32 index, smiLPCOID *name,
                                        smiLPCVALUE *value);

/* Entry count of a VBL; unlike SnmpCountVbl an empty list is a success. */
WSNMP_API SNMPAPI_STATUS WsnmpCountVbl(HSNMP_VBL vbl, smiUINT32 *count);

/* Friendly names (translate mode SNMPAPI_TRANSLATED). */
WSNMP_API SNMPAPI_STATUS WsnmpDefineAgent(const char *name, const WsnmpAgent *agent);
WSNMP_API SNMPAPI_STATUS WsnmpDefineContext(const char *name, smiLPCOCTETS value);
WSNMP_API SNMPAPI_STATUS WsnmpUndefine(const char *name);
WSNMP_API SNMPAPI_STATUS WsnmpClearFriendlyNames(void);
/* Reads friendly names from an INI-style file (see README); returns the
 * number of records read; on a syntax error fails with SNMPAPI_OTHER_ERROR
 * and a message naming the file and line, leaving earlier records in place. */
WSNMP_API SNMPAPI_STATUS WsnmpLoadFriendlyNames(const char *path);

/* MIB names through net-snmp's parser.  Nothing is loaded until asked;
 * once something is, SnmpStrToOid also takes names ("IF-MIB::ifDescr.3",
 * "ifDescr.3").  Lists are NULL-terminated (or NULL); the module "ALL"
 * loads every module found in the directories.  A failure names the file
 * and line (SNMPAPI_OTHER_ERROR) and leaves what was loaded before. */
typedef struct {
    const char *const *dirs;
    const char *const *modules;
    const char *const *files;
} WsnmpMibSources;
WSNMP_API SNMPAPI_STATUS WsnmpMibLoad(const WsnmpMibSources *sources);
/* Name -> OID descriptor (free with SnmpFreeDescriptor); returns its length,
 * or fails with SNMPAPI_OID_INVALID. */
WSNMP_API SNMPAPI_STATUS WsnmpMibNameToOid(LPCSTR name, smiLPOID oid);
/* OID -> "MODULE::label.index" into buf; returns the length with the NUL. */
WSNMP_API SNMPAPI_STATUS WsnmpMibOidToName(smiLPCOID oid, LPSTR buf, smiUINT32 size);
/* The enumeration label of `value` for the object `oid`, or SNMPAPI_NOOP. */
WSNMP_API SNMPAPI_STATUS WsnmpMibEnumLabel(smiLPCOID oid, smiINT32 value, LPSTR buf,
                                           smiUINT32 size);
/* A value as text with the MIB's DISPLAY-HINT and enumerations applied, as
 * net-snmp's tools show it: by default the value alone; with
 * WSNMP_MIB_FORMAT_VARBIND the whole line "NAME = TYPE: value";
 * WSNMP_MIB_FORMAT_NUMERIC shows the name as a numeric OID. */
#define WSNMP_MIB_FORMAT_VARBIND 1u
#define WSNMP_MIB_FORMAT_NUMERIC 2u
WSNMP_API SNMPAPI_STATUS WsnmpMibFormat(smiLPCOID oid, smiLPCVALUE value, smiUINT32 flags,
                                        LPSTR buf, smiUINT32 size);

/* One object of a table's INDEX clause (RFC 2578 7.7), as a manager needs
 * it to decode row indexes: `syntax` is "int", "uint32", "ipaddr",
 * "octets" or "oid"; `fixed_size` the length of a string of one SIZE
 * (else 0); `implied` its IMPLIED keyword; `tc` its textual convention
 * ("InetAddress", "InetAddressType", ...) or "". */
typedef struct {
    char name[64];
    char syntax[8];
    smiUINT32 fixed_size;
    int implied;
    char tc[64];
} WsnmpMibIndex;
/* The INDEX clause of the table entry `entry` (AUGMENTS followed): fills
 * up to `max` items and returns how many there are (SNMPAPI_NOOP if the
 * object has no INDEX clause, as for a scalar). */
WSNMP_API SNMPAPI_STATUS WsnmpMibTableIndex(smiLPCOID entry, WsnmpMibIndex *items, smiUINT32 max);

/* Adds an SNMPv3 user to the agent role of a listening entity (SnmpListen):
 * its requests are authenticated and decrypted with keys localised for the
 * local engine id, and need at least the user's level (else the report
 * usmStatsUnsupportedSecLevels).  Without users, v3 requests are refused. */
WSNMP_API SNMPAPI_STATUS WsnmpListenUser(HSNMP_ENTITY listening_entity, const WsnmpUsm *user);

/* The local SNMPv3 engine: the authoritative engine of the traps this
 * process sends (RFC 3414).  Its id is random per process and its boots 1,
 * unless set: WsnmpSetLocalEngine takes an id (5..32 octets, RFC 3411; NULL
 * keeps the current one, or the one in the state file) and a state file
 * (NULL: none) that keeps the id and snmpEngineBoots across runs: each
 * process that sets it counts one boot and writes it back (a temporary
 * file, then a rename).  Setting the same file again in one process counts
 * no new boot. */
typedef struct {
    smiBYTE id[32];
    smiUINT32 id_len;
    smiUINT32 boots;
    smiUINT32 time; /* snmpEngineTime: seconds since this boot */
} WsnmpLocalEngine;
WSNMP_API SNMPAPI_STATUS WsnmpSetLocalEngine(smiLPCOCTETS id, const char *state_path);
WSNMP_API SNMPAPI_STATUS WsnmpGetLocalEngine(WsnmpLocalEngine *engine);

/* AgentX (RFC 2741): the subagent side.  A session connects to one master
 * agent (WsnmpAgentxConnect) over a Unix-domain socket ("unix:/path") or TCP
 * ("tcp:host:port"), without blocking: WsnmpPoll makes the connection, reads
 * and writes it, and makes it again with backoff when the master closes it,
 * restarts, or sends what cannot be parsed (answered with a Close PDU,
 * reasonParseError).  Each PDU that arrives, and each change of the
 * connection's state, is an event for the session (its callback gets
 * wParam 0, lParam 0); WsnmpAgentxRecv takes the PDUs, WsnmpAgentxGetState
 * tells the state.  What the PDUs mean (Open, Register, the SET phases) is
 * the application's. */
#define WSNMP_AGENTX_OPEN 1
#define WSNMP_AGENTX_CLOSE 2
#define WSNMP_AGENTX_REGISTER 3
#define WSNMP_AGENTX_UNREGISTER 4
#define WSNMP_AGENTX_GET 5
#define WSNMP_AGENTX_GETNEXT 6
#define WSNMP_AGENTX_GETBULK 7
#define WSNMP_AGENTX_TESTSET 8
#define WSNMP_AGENTX_COMMITSET 9
#define WSNMP_AGENTX_UNDOSET 10
#define WSNMP_AGENTX_CLEANUPSET 11
#define WSNMP_AGENTX_NOTIFY 12
#define WSNMP_AGENTX_PING 13
#define WSNMP_AGENTX_INDEXALLOCATE 14
#define WSNMP_AGENTX_INDEXDEALLOCATE 15
#define WSNMP_AGENTX_ADDAGENTCAPS 16
#define WSNMP_AGENTX_REMOVEAGENTCAPS 17
#define WSNMP_AGENTX_RESPONSE 18
/* header flags */
#define WSNMP_AGENTX_FLAG_INSTANCE_REGISTRATION 0x01
#define WSNMP_AGENTX_FLAG_NEW_INDEX 0x02
#define WSNMP_AGENTX_FLAG_ANY_INDEX 0x04
#define WSNMP_AGENTX_FLAG_NON_DEFAULT_CONTEXT 0x08
#define WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER 0x10
/* Close reasons */
#define WSNMP_AGENTX_REASON_OTHER 1
#define WSNMP_AGENTX_REASON_PARSE_ERROR 2
#define WSNMP_AGENTX_REASON_PROTOCOL_ERROR 3
#define WSNMP_AGENTX_REASON_TIMEOUTS 4
#define WSNMP_AGENTX_REASON_SHUTDOWN 5
#define WSNMP_AGENTX_REASON_BY_MANAGER 6
/* Response errors beyond SNMP's (0..18) */
#define WSNMP_AGENTX_OPEN_FAILED 256
#define WSNMP_AGENTX_NOT_OPEN 257
#define WSNMP_AGENTX_INDEX_WRONG_TYPE 258
#define WSNMP_AGENTX_INDEX_ALREADY_ALLOCATED 259
#define WSNMP_AGENTX_INDEX_NONE_AVAILABLE 260
#define WSNMP_AGENTX_INDEX_NOT_ALLOCATED 261
#define WSNMP_AGENTX_UNSUPPORTED_CONTEXT 262
#define WSNMP_AGENTX_DUPLICATE_REGISTRATION 263
#define WSNMP_AGENTX_UNKNOWN_REGISTRATION 264
#define WSNMP_AGENTX_UNKNOWN_AGENT_CAPS 265
#define WSNMP_AGENTX_PARSE_ERROR 266
#define WSNMP_AGENTX_REQUEST_DENIED 267
#define WSNMP_AGENTX_PROCESSING_ERROR 268
/* The most payload bytes a PDU may announce; beyond it, a parse error. */
#define WSNMP_AGENTX_MAX_PAYLOAD (1u << 20)

/* A SearchRange of Get, GetNext and GetBulk: start (with its include flag)
 * and end (len 0: no end). */
typedef struct {
    smiOID start, end;
    int include;
} WsnmpAgentxRange;

/* One AgentX PDU, every type in one shape: the fields a type does not use
 * are zero.  A received PDU owns its arrays (WsnmpAgentxFree); one to send
 * is only read. */
typedef struct {
    smiBYTE type;  /* WSNMP_AGENTX_* */
    smiBYTE flags; /* WSNMP_AGENTX_FLAG_*; NETWORK_BYTE_ORDER is set on send */
    smiUINT32 session_id, transaction_id, packet_id;
    smiOCTETS context;     /* with FLAG_NON_DEFAULT_CONTEXT */
    smiUINT32 timeout;     /* Open, Register (seconds; 0: default) */
    smiUINT32 priority;    /* Register, Unregister */
    smiUINT32 range_subid; /* Register, Unregister (0: none) */
    smiUINT32 upper_bound; /* Register, Unregister, when range_subid */
    smiUINT32 reason;      /* Close: WSNMP_AGENTX_REASON_* */
    smiOID oid;            /* Open and AgentCaps: id; Register, Unregister: subtree */
    smiOCTETS descr;       /* Open, AddAgentCaps */
    smiUINT32 non_repeaters, max_repetitions; /* GetBulk */
    smiUINT32 sys_uptime, error, index;       /* Response */
    WsnmpAgentxRange *ranges;                 /* Get, GetNext, GetBulk */
    smiUINT32 range_count;
    smiOID *names; /* TestSet, Notify, IndexAllocate/Deallocate, Response */
    smiVALUE *values;
    smiUINT32 varbind_count;
} WsnmpAgentxPdu;

typedef struct {
    int connected;          /* the transport is up */
    smiUINT32 connections;  /* how many times it came up: a new one needs a new Open */
    smiUINT32 reconnect_ms; /* while down: the current backoff */
    smiUINT32 parse_errors; /* PDUs from the master that could not be parsed */
} WsnmpAgentxState;

/* Connects the session to a master agent at `address`; one per session.
 * timeout_ms bounds the connect and each request's response (a master that
 * does not answer in time is disconnected, then connected again). */
WSNMP_API SNMPAPI_STATUS WsnmpAgentxConnect(HSNMP_SESSION session, LPCSTR address,
                                            smiUINT32 timeout_ms);
/* Encodes and queues a PDU for the master (written by WsnmpPoll).  Fails
 * with SNMPAPI_TL_NOT_AVAILABLE while not connected. */
WSNMP_API SNMPAPI_STATUS WsnmpAgentxSend(HSNMP_SESSION session, const WsnmpAgentxPdu *pdu);
/* The oldest PDU received, or SNMPAPI_NOOP when none is queued. */
WSNMP_API SNMPAPI_STATUS WsnmpAgentxRecv(HSNMP_SESSION session, WsnmpAgentxPdu *pdu);
WSNMP_API void WsnmpAgentxFree(WsnmpAgentxPdu *pdu);
WSNMP_API SNMPAPI_STATUS WsnmpAgentxGetState(HSNMP_SESSION session, WsnmpAgentxState *state);
/* Drops the connection now (after writing what is queued, if the socket
 * takes it) and connects again after the backoff. */
WSNMP_API SNMPAPI_STATUS WsnmpAgentxReconnect(HSNMP_SESSION session);

#ifdef __cplusplus
}
#endif
#endif /* WINSNMP_H */
