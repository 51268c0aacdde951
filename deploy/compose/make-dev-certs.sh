#!/usr/bin/env bash
# A development CA and the cluster certificates the compose files mount (deploy/compose/certs/,
# git-ignored), laid out as a Kubernetes TLS Secret is: certs/silo/ (both silos) and certs/portal/,
# each with tls.crt, tls.key and ca.crt (the trust bundle). The CA's key stays in certs/ca/, which
# no container mounts.
# For a laptop or a test host only; production certificates come from your own CA (cert-manager
# on Kubernetes: deploy/README.md, "Cluster certificates").
#
#   deploy/compose/make-dev-certs.sh            # creates what is missing
#   deploy/compose/make-dev-certs.sh --renew    # new leaf certificates, same CA
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p certs/ca
cd certs
umask 077

days_ca=825
days_leaf=90

if [[ ! -f ca/ca.crt || ! -f ca/ca.key ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days "$days_ca" \
    -subj "/CN=procurement dev cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca/ca.key -out ca/ca.crt
fi

issue() {
  local name=$1 sans=$2
  mkdir -p "$name"
  cp ca/ca.crt "$name/ca.crt"
  if [[ -f $name/tls.crt && ${RENEW:-0} != 1 ]]; then
    return
  fi
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -subj "/CN=$name" -keyout "$name/tls.key" -out "$name/tls.csr"
  openssl x509 -req -in "$name/tls.csr" -CA ca/ca.crt -CAkey ca/ca.key -CAcreateserial -sha256 -days "$days_leaf" \
    -extfile <(printf '%s\n' \
      "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth,clientAuth" \
      "subjectAltName=$sans") \
    -out "$name/tls.crt"
  rm -f "$name/tls.csr"
}

[[ ${1:-} == --renew ]] && RENEW=1
# Silos are servers (silo and gateway ports) and clients (of each other); the portal is a client.
issue silo "DNS:silo1,DNS:silo2,DNS:localhost,IP:127.0.0.1"
issue portal "DNS:portal,DNS:localhost"

# The key-encryption key that wraps each batch's opening key, the receipt nonces and the key ring:
# 32 random bytes in Base64, made once and never renewed here (a new one would leave every sealed
# bid of a running round unopenable). Back it up apart from the database.
mkdir -p sealing
if [[ ! -f sealing/sealing.key ]]; then
  openssl rand -base64 32 > sealing/sealing.key
fi

# The containers run as uid 1654 (the images' user "app"): give it the files, or at least read access.
chmod 700 ca
chmod 755 silo portal sealing
chmod 644 silo/tls.crt silo/ca.crt portal/tls.crt portal/ca.crt
if ! chown 1654:1654 silo/tls.key portal/tls.key sealing/sealing.key 2>/dev/null; then
  chmod 644 silo/tls.key portal/tls.key sealing/sealing.key
  echo "note: could not chown the keys to uid 1654, so they are readable by every local user; keep this folder on a single-user machine" >&2
fi
echo "certificates in $(pwd): silo/ and portal/ (tls.crt, tls.key, ca.crt); the CA's key is in ca/, never mount it; the sealing key in sealing/ (back it up)"
