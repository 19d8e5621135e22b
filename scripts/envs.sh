# The Home Assistant releases the integration is tested on. Sourced by scripts/setup, test, lock
# and develop; not run on its own.
#
#   name     Home Assistant   Python   test harness (phcc)   requirements       venv
#   2025.4   2025.4.4         3.13     0.13.236              requirements/ha2025.4   .venv
#   latest   2026.10.4        3.14     0.13.375              requirements/latest     .venv-latest
#
# "latest" is the newest Home Assistant that has a matching pytest-homeassistant-custom-component
# release. Each folder holds test.txt (what we ask for), constraints.txt (Home Assistant's own
# package_constraints.txt from its wheel), an optional overrides.txt and the hash-locked test.lock.

ANPR_ENVS=(2025.4 latest)

# anpr_env NAME: set ENV_REQ (requirements folder), ENV_VENV, ENV_HA, ENV_PYMINOR.
anpr_env() {
  case "$1" in
    2025.4) ENV_REQ=requirements/ha2025.4; ENV_VENV=.venv; ENV_HA=2025.4.4; ENV_PYMINOR=3.13 ;;
    latest) ENV_REQ=requirements/latest; ENV_VENV=.venv-latest; ENV_HA=2026.10.4; ENV_PYMINOR=3.14.2 ;;
    *) echo "unknown environment '$1' (choose one of: ${ANPR_ENVS[*]} all)" >&2; return 1 ;;
  esac
}

# anpr_host_python: the Python 3.13 that runs uv and builds the 2025.4 venv.
#   ANPR_PYTHON overrides it (CI on GitHub sets it to setup-python's python3.13).
anpr_host_python() {
  if [ -n "${ANPR_PYTHON:-}" ]; then
    echo "$ANPR_PYTHON"
  elif command -v pyenv >/dev/null 2>&1 && [ -x "$(pyenv root)/versions/3.13.0/bin/python3" ]; then
    echo "$(pyenv root)/versions/3.13.0/bin/python3"
  elif command -v python3.13 >/dev/null 2>&1; then
    command -v python3.13
  else
    echo "Python 3.13 not found (pyenv 3.13.0, python3.13 on PATH, or ANPR_PYTHON)" >&2
    return 1
  fi
}

# anpr_env_python NAME: the interpreter a venv of that environment is built from.
#   ANPR_PYTHON314 overrides the 3.14 one (e.g. a distribution's python3.14).
anpr_env_python() {
  case "$1" in
    2025.4) anpr_host_python ;;
    latest)
      if [ -n "${ANPR_PYTHON314:-}" ]; then
        echo "$ANPR_PYTHON314"
      elif command -v python3.14 >/dev/null 2>&1 && python3.14 -c 'import sys; sys.exit(sys.version_info < (3, 14, 2))'; then
        command -v python3.14
      else
        bash "$(dirname "${BASH_SOURCE[0]}")/python314" | tail -1
      fi
      ;;
  esac
}

# anpr_envs_from_args ARG: "all" (or empty) gives every environment, else the one named.
anpr_envs_from_args() {
  if [ -z "${1:-}" ] || [ "$1" = all ]; then
    echo "${ANPR_ENVS[@]}"
  else
    anpr_env "$1" >/dev/null && echo "$1"
  fi
}
