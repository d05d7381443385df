# Sourced by the SDK suites' runners (sdk-tests/run.sh, eventgrid-tests/run.sh): installs
# a suite's pinned Python and JS dependencies when they are missing or out of date, so a
# second run installs nothing.

# sdk_python_venv DIR LABEL: DIR/.venv with DIR/requirements.txt installed.
sdk_python_venv() {
  local dir="$1" label="$2"
  local venv="$dir/.venv"
  local stamp="$venv/.requirements.installed"
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "$label: creating $venv"
    python3 -m venv "$venv"
  fi
  if [[ ! -f "$stamp" ]] || ! cmp -s "$dir/requirements.txt" "$stamp"; then
    echo "$label: installing Python requirements"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$dir/requirements.txt"
    cp "$dir/requirements.txt" "$stamp"
  fi
}

# sdk_node_modules DIR LABEL: DIR/node_modules as DIR/package-lock.json says.
sdk_node_modules() {
  local dir="$1" label="$2"
  local lock_stamp="$dir/node_modules/.package-lock.installed"
  if [[ ! -f "$lock_stamp" ]] || ! cmp -s "$dir/package-lock.json" "$lock_stamp"; then
    echo "$label: npm ci"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$lock_stamp"
  fi
}
