# Sourced by the tests/regress/web-*.t after lib.sh: a node with its page on
# an ephemeral port, and the browser side (Debian's chromium driven by
# puppeteer-core from tests/browser/node_modules, installed by npm ci from
# the committed package-lock.json when it is missing).

# web_conf FILE [LINES...]: a config whose page listens on an ephemeral
# port, with more [web] lines after it.
web_conf() {
	_f=$1; shift
	{
		echo "[web]"
		echo "listen = 127.0.0.1:0"
		for _l in "$@"; do echo "$_l"; done
	} >"$_f"
}

# web_address NAME: ADDR:PORT of node NAME's page, from its log.
web_address() {
	wait_for 10 grep -q 'the page is at https*://' "$T/$1.log" || return 1
	sed -n 's|.*the page is at https*://\([^/]*\)/.*|\1|p' "$T/$1.log" |
	    head -n 1
}

# web_need_browser: skip the whole test, saying why, when there is no way
# to drive a browser here.
web_need_browser() {
	command -v node >/dev/null 2>&1 ||
	    skip_all "node is not installed (make deps)"
	[ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
	    skip_all "chromium is not installed (make deps)"
	if [ ! -d "$top/tests/browser/node_modules/puppeteer-core" ]; then
		(cd "$top/tests/browser" && timeout 300 npm ci --no-audit \
		    --no-fund >"$T/npm.log" 2>&1) ||
		    skip_all "npm ci in tests/browser failed: $(tail -n 1 \
			"$T/npm.log")"
	fi
}

# web_scenario NAME FILE: run tests/browser/FILE (its TAP is the test's)
# against node NAME.
web_scenario() {
	MEET_WEB="http://$(web_address "$1")" MEET_SOCK="$T/$1.sock" \
	    MEET_LOGS="$(ls "$T"/*.log 2>/dev/null | tr '\n' ' ')" \
	    MEETCTL="$(command -v meetctl)" OUT="$T" \
	    timeout 240 node "$top/tests/browser/$2"
	_rc=$?
	[ $_rc = 0 ] || _failed=1
	return $_rc
}
