#!/usr/bin/env bash
# Clone the committed tree into a temporary folder, run `make run` there exactly as a
# newcomer would, and fetch the login and home pages once the server answers.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${SMOKE_PORT:-8765}
work=$(mktemp -d)
trap 'kill -- -$run_pid 2>/dev/null || true; rm -rf "$work"' EXIT

git clone --quiet "$repo" "$work/liulin"
cd "$work/liulin"
# A fresh shell of its own, so stopping it stops the server and the worker with it.
setsid make run PORT="$port" >"$work/run.log" 2>&1 &
run_pid=$!

for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$run_pid" 2>/dev/null; then cat "$work/run.log"; echo "make run exited early"; exit 1; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { tail -50 "$work/run.log"; echo "server never answered"; exit 1; }
login=$(curl -fsS "http://127.0.0.1:$port/accounts/login/")
grep -q "登录" <<<"$login" || { echo "login page did not render"; exit 1; }
# The home page sends visitors to log in.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
[ "$code" = "302" ] || { echo "home page answered $code"; exit 1; }
grep -q "demo" "$work/run.log" || grep -q "演示" "$work/run.log" || { echo "demo logins were not printed"; tail -40 "$work/run.log"; exit 1; }
echo "make run smoke test passed: server up on port $port, login page rendered, demo logins printed"
