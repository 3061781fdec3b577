#!/bin/sh
# Installs the Debian packages winsnmp needs to build, test and run its demo,
# plus any named as arguments, if missing.  Uses apt-get as root, or sudo.
set -eu

PACKAGES="build-essential cmake pkg-config lua5.4 liblua5.4-dev libsnmp-dev \
snmpd snmp snmptrapd lua-busted luarocks lua-luv lua-cqueues lua-copas lua-socket \
python3 python3-pysnmp4 $*"

missing=""
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: need root (or sudo) to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d keeps the packaged snmpd/snmptrapd services from starting on
# 161/162: the project only ever runs private agents on free loopback ports.
if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
