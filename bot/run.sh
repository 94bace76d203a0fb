#!/usr/bin/env bash
# Start the assistant's processes on loopback (used by `make run`).
#   bot/run.sh rasa      Rasa server, REST channel, 127.0.0.1:5005, model models/current.tar.gz
#   bot/run.sh actions   action server, 127.0.0.1:5055 (reads WEBHOOK_URL, INTERNAL_API_TOKEN)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.venv-bot/bin"
cd "$ROOT/bot"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
case "${1:-}" in
  rasa)
    exec "$BIN/rasa" run --model "$ROOT/models/current.tar.gz" --endpoints endpoints.yml \
      --credentials credentials.yml --interface 127.0.0.1 --port "${RASA_PORT:-5005}"
    ;;
  actions)
    export SANIC_HOST=127.0.0.1
    exec "$BIN/rasa" run actions --actions actions --port "${ACTIONS_PORT:-5055}"
    ;;
  *)
    echo "usage: bot/run.sh rasa|actions" >&2
    exit 2
    ;;
esac
