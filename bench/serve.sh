#!/usr/bin/env bash
# Load test: agendafeed's server against nginx serving the same ~100 KB
# calendar from the same output directory, on loopback only, with wrk:
# full responses, 304s (If-None-Match) and gzip. Prints req/s and ratios.
#
#   bench/serve.sh [duration-seconds] [connections] [threads]
#
# Each case runs REPS times (default 3), ours and nginx alternating, and
# prints the median of each and the ratio of the medians: single runs on a
# shared machine vary by +-10%.
#
# With PIN=1 (the default when taskset exists and there are 2+ cores) each
# server under test runs on CPU 1 only (nginx with one worker, ours with
# GOMAXPROCS 1) and wrk on CPU 0 with one thread: the same for both, and
# neither steals the other's core. PIN=0 shares every core as before.
set -euo pipefail

DUR=${1:-10}
CONNS=${2:-50}
PIN=${PIN:-}
if [ -z "$PIN" ]; then
	if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then PIN=1; else PIN=0; fi
fi
if [ "$PIN" = 1 ]; then
	THREADS=${3:-1}
	SRV_CPU=(taskset -c 1)
	WRK_CPU=(taskset -c 0)
	WORKERS=1
else
	THREADS=${3:-2}
	SRV_CPU=()
	WRK_CPU=()
	WORKERS=2
fi
OURS_PORT=18081
NGINX_PORT=18082

cd "$(dirname "$0")/.."
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d)
OUT="$WORK/out"
mkdir -p "$OUT" "$WORK/nginx"
chmod 755 "$WORK" # nginx workers run as an unprivileged user
SRV_PID=""
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null || true
	[ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
	sleep 0.2
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

go build -o "$WORK/servebench" ./bench/cmd/servebench
"${SRV_CPU[@]}" "$WORK/servebench" -dir "$OUT" -addr "127.0.0.1:$OURS_PORT" >"$WORK/ready" 2>"$WORK/servebench.log" &
SRV_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/ready" 2>/dev/null && break; sleep 0.1; done
read -r _ OURS_URL OURS_ETAG SIZE <"$WORK/ready"
FILE="$OUT/s0000/calendar.ics"
gzip -9 -k -f "$FILE" # for nginx's gzip_static

cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	types { text/calendar ics; }
	default_type application/octet-stream;
	client_body_temp_path $WORK/nginx/body;
	proxy_temp_path $WORK/nginx/proxy;
	fastcgi_temp_path $WORK/nginx/fastcgi;
	uwsgi_temp_path $WORK/nginx/uwsgi;
	scgi_temp_path $WORK/nginx/scgi;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $OUT;
		etag on;
		gzip_static on;
		gzip_vary on;
		add_header Cache-Control "public, max-age=300";
		add_header Access-Control-Allow-Origin "*";
	}
}
CONF
"${SRV_CPU[@]}" "$NGINX" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/s0000/calendar.ics"
for _ in $(seq 50); do curl -fsS -o /dev/null "$NGINX_URL" && break; sleep 0.1; done
NGINX_ETAG=$(curl -fsS -D - -o /dev/null "$NGINX_URL" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
OURS_GZ_ETAG=$(curl -fsS -H 'Accept-Encoding: gzip' -D - -o /dev/null "$OURS_URL" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
NGINX_GZ_ETAG=$(curl -fsS -H 'Accept-Encoding: gzip' -D - -o /dev/null "$NGINX_URL" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')

# Sanity: same bytes from both, 304s from both.
cmp <(curl -fsS "$OURS_URL") <(curl -fsS "$NGINX_URL")
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $OURS_ETAG" "$OURS_URL")" = 304 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $NGINX_ETAG" "$NGINX_URL")" = 304 ]
[ "$(curl -s -H 'Accept-Encoding: gzip' "$OURS_URL" | gunzip | wc -c)" = "$SIZE" ]
[ "$(curl -s -H 'Accept-Encoding: gzip' "$NGINX_URL" | gunzip | wc -c)" = "$SIZE" ]

rps() { # url [header]
	local args=(-t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency)
	[ $# -gt 1 ] && args+=(-H "$2")
	"${WRK_CPU[@]}" wrk "${args[@]}" "$1" | awk '/Requests\/sec/{print $2}'
}

echo "file: $SIZE bytes; wrk -t$THREADS -c$CONNS -d${DUR}s, median of ${REPS:-3} runs each; $(nproc) cores; PIN=$PIN (1: server on CPU 1, wrk on CPU 0); access logs off in both"
printf '%-8s %14s %14s %8s %8s\n' case agendafeed nginx ratio target
report() { # case ours nginx target
	printf '%-8s %14s %14s %7.0f%% %7s%%\n' "$1" "$2" "$3" "$(echo "100*$2/$3" | bc -l)" "$4"
}
REPS=${REPS:-3}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
measure() { # case target ours-header nginx-header
	local os=() ns=()
	for _ in $(seq "$REPS"); do
		os+=("$(rps "$OURS_URL" ${3:+"$3"})")
		ns+=("$(rps "$NGINX_URL" ${4:+"$4"})")
	done
	echo "  $1 runs: ours ${os[*]}; nginx ${ns[*]}" >&2
	report "$1" "$(median "${os[@]}")" "$(median "${ns[@]}")" "$2"
}
measure full 80 "" ""
measure 304 75 "If-None-Match: $OURS_ETAG" "If-None-Match: $NGINX_ETAG"
measure gzip 100 "Accept-Encoding: gzip" "Accept-Encoding: gzip"
echo "(ETags: ours $OURS_ETAG / $OURS_GZ_ETAG; nginx $NGINX_ETAG / $NGINX_GZ_ETAG)"
