#!/bin/sh
# cppcheck over the C sources; any finding fails.  Inline suppressions
# (`// cppcheck-suppress id` with a reason) are allowed where cppcheck is
# wrong.
set -eu
cd "$(dirname "$0")/.."
core_includes=$(for layer in base model wire objects engine api; do printf -- "-I src/core/%s " "$layer"; done)
cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
    --std=c11 --inline-suppr --suppress=missingIncludeSystem \
    -I src $core_includes -I src/lua src/core src/lua src/cli bench/ref_client.c
# The C tests write to their inputs after handing them over, on purpose (to
# prove the library copied them); cppcheck sees unused writes there.
cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
    --std=c11 --inline-suppr --suppress=missingIncludeSystem \
    --suppress=unreadVariable --suppress=redundantAssignment --suppress=variableScope \
    -I src $core_includes -I src/lua tests
