#!/usr/bin/env bash
# Create the bot environment (.venv-bot, Python 3.10) when missing or when the pins changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-bot"
PYTHON310="${PYTHON310:-}"
if [[ -z "$PYTHON310" ]]; then
  for candidate in /root/.pyenv/versions/3.10.13/bin/python python3.10; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON310="$candidate"; break; fi
  done
fi
want="$(cat "$ROOT/bot/requirements.lock" "$ROOT/bot/requirements-test.txt" | sha256sum | cut -d' ' -f1)"
installed_by_make() {  # the Makefile's stamp, newer than both pin files
  [[ -f "$VENV/.installed" && "$VENV/.installed" -nt "$ROOT/bot/requirements.lock" \
     && "$VENV/.installed" -nt "$ROOT/bot/requirements-test.txt" ]]
}
if [[ -x "$VENV/bin/rasa" && -x "$VENV/bin/pytest" ]] \
   && { [[ "$(cat "$VENV/.pins-hash" 2>/dev/null)" == "$want" ]] || installed_by_make; }; then
  exit 0
fi
if [[ -z "$PYTHON310" ]]; then
  echo "bot/setup.sh: Python 3.10 not found (set PYTHON310=/path/to/python3.10)" >&2
  exit 1
fi
echo "bot/setup.sh: installing the bot environment in .venv-bot (a few minutes) ..."
[[ -x "$VENV/bin/python" ]] || "$PYTHON310" -m venv "$VENV"
"$VENV/bin/pip" install -q --no-deps -r "$ROOT/bot/requirements.lock" 2>&1 | grep -v "is ignored" || true
"$VENV/bin/pip" install -q --no-deps -r "$ROOT/bot/requirements-test.txt" 2>&1 | grep -v "is ignored" || true
"$VENV/bin/python" -c "import rasa, rasa_sdk, pytest" 
echo "$want" > "$VENV/.pins-hash"
echo "bot/setup.sh: done"
