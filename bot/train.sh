#!/usr/bin/env bash
# Train the Rasa model only when the training inputs changed.
# Inputs: nlu_data/, bot/data/, bot/domain/, bot/config.yml and the custom components in bot/components/. The hash of their contents is
# kept in models/.inputs-hash; the model is models/current.tar.gz.
# Usage: bot/train.sh [--force]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RASA="${RASA:-$ROOT/.venv-bot/bin/rasa}"
MODELS="$ROOT/models"
MODEL="$MODELS/current.tar.gz"
HASH_FILE="$MODELS/.inputs-hash"

inputs_hash() {
  (cd "$ROOT" && find nlu_data bot/data bot/domain bot/config.yml bot/components -type f \( -name "*.yml" -o -name "*.yaml" -o -name "*.py" \) -print0 \
    | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

mkdir -p "$MODELS"
want="$(inputs_hash)"
have="$(cat "$HASH_FILE" 2>/dev/null || true)"

if [[ "${1:-}" != "--force" && -f "$MODEL" && "$want" == "$have" ]]; then
  echo "train: inputs unchanged (hash ${want:0:12}), keeping $MODEL"
  exit 0
fi

echo "train: inputs changed (hash ${want:0:12}), training $MODEL"
start=$(date +%s)
cd "$ROOT/bot"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONHASHSEED=42
set +e
"$RASA" train \
  --config config.yml --domain domain --data ../nlu_data data \
  --out "$MODELS" --fixed-model-name current 2>&1 \
  | stdbuf -oL tr '\r' '\n' \
  | grep --line-buffered -E "Starting to train|Finished training|Your Rasa model|Epochs: +(100|[1-9]0)%|Error|Exception|Traceback"
rc=${PIPESTATUS[0]}
set -e
if [[ $rc -ne 0 || -z "$(find "$MODEL" -newermt "@$start" 2>/dev/null)" ]]; then
  echo "train: FAILED (rasa exit $rc), no new model written" >&2
  exit 1
fi
echo "$want" > "$HASH_FILE"
echo "train: done in $(( $(date +%s) - start ))s -> $MODEL"
