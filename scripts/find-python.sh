#!/usr/bin/env bash
# Print the path of a Python interpreter of the wanted minor version (3.10 for the bot, 3.11+ for the app).
# Looks on PATH first, then under pyenv. Exits 1 with instructions when none is found.
set -euo pipefail
want="${1:?usage: find-python.sh 3.10|3.11+}"

check() { # $1 = interpreter; prints it if its version matches
  local v
  v=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
  if [ "$want" = "3.11+" ]; then
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null && { echo "$1"; return 0; }
  elif [ "$v" = "$want" ]; then
    echo "$1"; return 0
  fi
  return 1
}

if [ "$want" = "3.11+" ]; then names="python3.13 python3.12 python3.11 python3"; else names="python$want"; fi
for n in $names; do
  p=$(command -v "$n" 2>/dev/null) || continue
  check "$p" && exit 0
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for d in $(ls -d "$root"/versions/* 2>/dev/null | sort -rV); do
  [ -x "$d/bin/python" ] || continue
  check "$d/bin/python" && exit 0
done
if [ "$want" = "3.10" ]; then
  cat >&2 <<MSG
Python 3.10 was not found (needed by Rasa Open Source 3.6.21, which does not install on 3.11+).
Install it, then run the command again. Either:
  pyenv install 3.10.13            (pyenv: https://github.com/pyenv/pyenv)
  sudo apt-get install python3.10 python3.10-venv   (Debian/Ubuntu with a 3.10 package)
MSG
else
  echo "Python 3.11 or newer was not found. Install it (e.g. pyenv install 3.11.7) and run the command again." >&2
fi
exit 1
