#!/usr/bin/env bash
# The seed document's route to a client certificate, installed under its subject hash:
#   openssl req -newkey rsa:2048 -nodes -keyout rpcuser1.key.pem -x509 -days 365 -out rpcuser1.cert.pem
#   ln -s rpcuser1.cert.pem $(openssl x509 -in rpcuser1.cert.pem -noout -subject_hash).0
#   cat rpcuser1.cert.pem rpcuser1.key.pem > rpcuser1.pem
# Usage: scripts/make-client-cert.sh NAME CLIENTS_DIR [OUT_DIR] [DAYS]
#   Writes OUT_DIR/NAME.cert.pem, NAME.key.pem (0600) and the single PEM NAME.pem (0600), copies
#   the certificate into CLIENTS_DIR and links it there as <subject hash>.<n>. Prints the link.
#   OUT_DIR defaults to CLIENTS_DIR's sibling "users" (tls/clients -> tls/users, as the development
#   PKI keeps client keys; git-ignored), never the current folder.
set -euo pipefail
name=${1:?usage: make-client-cert.sh NAME CLIENTS_DIR [OUT_DIR] [DAYS]}
clients=${2:?usage: make-client-cert.sh NAME CLIENTS_DIR [OUT_DIR] [DAYS]}
out=${3:-$(dirname "$clients")/users}
days=${4:-365}
mkdir -p "$out" "$clients"
umask 077
openssl req -newkey rsa:2048 -nodes -keyout "$out/$name.key.pem" -x509 -days "$days" \
  -out "$out/$name.cert.pem" -subj "/CN=$name" 2>/dev/null
chmod 644 "$out/$name.cert.pem"
cat "$out/$name.cert.pem" "$out/$name.key.pem" > "$out/$name.pem"
cp "$out/$name.cert.pem" "$clients/$name.cert.pem"
chmod 644 "$clients/$name.cert.pem"
hash=$(openssl x509 -in "$clients/$name.cert.pem" -noout -subject_hash)
n=0
while [ -e "$clients/$hash.$n" ] || [ -L "$clients/$hash.$n" ]; do n=$((n + 1)); done
ln -s "$name.cert.pem" "$clients/$hash.$n"
echo "$clients/$hash.$n"
