#!/usr/bin/env bash
# The seed document's route to a server certificate, with openssl only:
#   openssl req -newkey rsa:2048 -keyout server.key.pem -x509 -days 3650 -out server.cert.pem
# Usage: scripts/make-server-cert.sh OUT_DIR [COMMON_NAME]
# The key is encrypted with $SERVER_KEY_PASSPHRASE (read from the environment, never from argv);
# with an empty passphrase it is written unencrypted (-nodes). Also adds SANs so modern clients
# accept it for localhost, 127.0.0.1 and ::1.
set -euo pipefail
out=${1:?usage: make-server-cert.sh OUT_DIR [COMMON_NAME]}
cn=${2:-localhost}
mkdir -p "$out"
umask 077
keyopts=(-nodes)
if [ -n "${SERVER_KEY_PASSPHRASE:-}" ]; then keyopts=(-passout env:SERVER_KEY_PASSPHRASE); fi
openssl req -newkey rsa:2048 "${keyopts[@]}" -keyout "$out/server.key.pem" -x509 -days 3650 \
  -out "$out/server.cert.pem" -subj "/O=MyNanoRPCServer/OU=MyNanoThing/CN=$cn" \
  -addext "subjectAltName=DNS:$cn,DNS:localhost,IP:127.0.0.1,IP:::1" 2>/dev/null
chmod 600 "$out/server.key.pem"
chmod 644 "$out/server.cert.pem"
echo "$out/server.cert.pem"
echo "$out/server.key.pem"
