#!/usr/bin/env bash
# Every check of the assistant, in order (used by `make test`):
#   1. rasa data validate --fail-on-warnings
#   2. train (skipped when data, domain and config are unchanged)
#   3. action unit tests (bot/tests, pytest in the bot environment)
#   4. conversation tests (bot/tests/test_stories.yml) with --fail-on-prediction-errors
#   5. NLU evaluation on the blind test sets (bench/nlu --no-baseline --check)
#   6. end-to-end conversations: the blind scenarios and a burst of first texts through the public doors
#      of a private stack (bench/conversations/run.py --spawn --check), a floor: task success, no
#      silent reply, 999 guidance first on every danger message
# The intake contract test runs with the app's tests (tests/bot, app environment).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.venv-bot/bin"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore

"$ROOT/bot/setup.sh"
cd "$ROOT/bot"
quiet() { grep -v -E "DeprecationWarning|declare_namespace|pkg_resources|^\s*$|import |declarative_base|xla_computation|MovedIn20Warning|UserWarning: The utterance" || true; }

echo "== bot: rasa data validate"
mkdir -p "$ROOT/results"
set +e
"$BIN/rasa" data validate --fail-on-warnings --domain domain --data ../nlu_data data --config config.yml \
  > "$ROOT/results/bot-validate.log" 2>&1
rc=$?
set -e
quiet < "$ROOT/results/bot-validate.log" | grep -E "rasa.validator|WARNING|ERROR|Error" | tail -12 || true
if [[ $rc -ne 0 ]]; then echo "bot: data validation FAILED (exit $rc), see results/bot-validate.log"; exit 1; fi

echo "== bot: train"
"$ROOT/bot/train.sh"

echo "== bot: action unit tests"
"$BIN/python" -m pytest tests -q -p no:cacheprovider

echo "== bot: conversation tests"
out="$ROOT/results/bot-core"
rm -rf "$out"; mkdir -p "$ROOT/results"
set +e
"$BIN/rasa" test core --model "$ROOT/models/current.tar.gz" --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out "$out" > "$ROOT/results/bot-core.log" 2>&1
rc=$?
set -e
quiet < "$ROOT/results/bot-core.log" | grep -E "Finished|Correct|failed|Failed|rror|stories" | tail -20 || true
if [[ $rc -ne 0 ]]; then echo "bot: conversation tests FAILED (exit $rc), see results/bot-core.log"; exit 1; fi
if [[ -s "$out/failed_test_stories.yml" ]] && grep -q "story:" "$out/failed_test_stories.yml"; then
  echo "bot: conversation tests FAILED, see $out/failed_test_stories.yml"; exit 1
fi
[[ -f "$out/story_report.json" ]] || { echo "bot: conversation tests did not run"; exit 1; }
echo "bot: conversation tests passed"

echo "== bot: NLU evaluation on the blind test sets"
# Enforced on every blind set: danger recall 100%, p95 <= 150 ms; on the ordinary sets (A, B) also
# ASB-type accuracy >= 95% and false alarms <= 5%. Set F (bot/tests/nlu_danger_f.yml, blind, placed by the
# lead) is held to recall >= 99% and false alarms <= 5% when SET_F_ENFORCED in bench/nlu.py says so (or
# ENFORCE_SET_F=1 here). The retired sets C, D and E and the development sets are printed, not enforced.
"$ROOT/bench/nlu" --no-baseline --check ${ENFORCE_SET_F:+--enforce-set-f}

echo "== bot: end-to-end conversations (blind scenarios and a burst, private stack)"
"$ROOT/.venv/bin/python" "$ROOT/bench/conversations/run.py" --spawn --check --burst 400
