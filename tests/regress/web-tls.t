#!/bin/sh
# The page over TLS, with [web] certificate and certificate_key: the page
# and its WebSocket for a client that checks the certificate, nothing for
# plain HTTP, and the errors for a key that is not the certificate's or a
# certificate without its key (tests/browser/tls.py).
. "$(dirname "$0")/lib.sh"
. "$top/tests/browser/web.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
command -v openssl >/dev/null || skip_all "openssl is not installed"
for k in key other; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$k.pem" -out "$T/$k.crt" -days 2 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
	    skip_all "openssl cannot make a certificate"
done
web_conf "$T/a.conf" "certificate = $T/key.crt" \
    "certificate_key = $T/key.pem" "handshake_timeout = 1"
start_node a -f "$T/a.conf"
ctl a create standup --as alice >/dev/null ||
	{ echo "Bail out! create failed"; exit 1; }
port=$(web_address a | sed 's/.*://')

PYTHONPATH="$top/tests/browser" timeout 60 python3 \
    "$top/tests/browser/tls.py" "$port" "$T/key.crt" >"$T/tls.out" \
    2>"$T/tls.err"
rc=$?
n=$(grep -c '^PASS\|^FAIL' "$T/tls.out")
plan $((n + 6))
while IFS= read -r line; do
	case $line in
	"PASS "*) ok "${line#PASS }" ;;
	"FAIL "*) not_ok "${line#FAIL }" ;;
	esac
done <"$T/tls.out"
check "the TLS client ran to its end" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/tls.err"
check "the log gives the page's https address" \
    contains "$T/a.log" "the page is at https://127.0.0.1:$port/"
check "tina's chat is in alice's events" \
    sh -c "meetctl -S '$T/a.sock' -s alice events | grep -qF 'hello over TLS'"

# A key that is not the certificate's: meetd does not start, and says so.
web_conf "$T/bad.conf" "certificate = $T/key.crt" \
    "certificate_key = $T/other.pem"
timeout 10 meetd -S "$T/bad.sock" -l 127.0.0.1:0 -f "$T/bad.conf" \
    2>"$T/bad.log"
check "a key that is not the certificate's: meetd exits 1" test $? = 1
check "naming the key" contains "$T/bad.log" "certificate_key $T/other.pem"
web_conf "$T/half.conf" "certificate = $T/key.crt"
check "a certificate without its key is a configuration error" \
    expect_code 1 meetd -n -f "$T/half.conf"
