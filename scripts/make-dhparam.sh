#!/usr/bin/env bash
# DH parameters for TLS 1.2 DHE suites.
# Usage: scripts/make-dhparam.sh OUT_FILE [BITS]
#   BITS=2048 (default) writes the standard RFC 7919 ffdhe2048 group at once;
#   any other size runs `openssl dhparam` (the seed's `openssl dhparam -out dh1024.pem 1024`;
#   1024 bits takes seconds and is weak, generating 2048 takes about a minute).
set -euo pipefail
out=${1:?usage: make-dhparam.sh OUT_FILE [BITS]}
bits=${2:-2048}
if [ "$bits" = 2048 ]; then
  openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$out" 2>/dev/null
else
  openssl dhparam -out "$out" "$bits" 2>/dev/null
fi
echo "$out"
