#!/bin/sh
# Installs the authflow single binary and its systemd unit.
#
#   sh install.sh [PATH_TO_BINARY]
#
# PATH_TO_BINARY defaults to ./authflow when present, else dist/authflow next
# to this script. Settings come from the environment:
#
#   PREFIX         where the binary goes          (default /usr/local/bin)
#   DATA_DIR       the service's data dir         (default /var/lib/authflow)
#   SYSTEMD_DIR    where the unit file is written (default /etc/systemd/system)
#   AUTHFLOW_USER  the account the service runs as
#                  (default authflow as root, the invoking user otherwise)
#   CREATE_USER    auto: create AUTHFLOW_USER when running as root and it is
#                  missing (default); no: never create it
#
# The unit is written but neither enabled nor started. Re-running upgrades the
# binary and rewrites the unit; an existing data dir's contents are never
# touched. Runs under any POSIX sh (dash, busybox ash, bash).

set -eu
umask 022

PROG=install.sh
MIN_GLIBC_MAJOR=2
MIN_GLIBC_MINOR=34

die() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit 1
}
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
# Runs a command; on failure, dies with MESSAGE and the command's first line of output.
must() { # MESSAGE COMMAND...
  must_msg=$1
  shift
  if ! must_err=$("$@" 2>&1); then
    must_err=$(printf '%s\n' "$must_err" | sed -n '/./{p;q;}')
    die "$must_msg${must_err:+ ($must_err)}."
  fi
}
note() { printf '%s\n' "$*"; }

usage() {
  cat <<'EOF'
Usage: sh install.sh [PATH_TO_BINARY]

Installs the authflow binary and writes its systemd unit (not enabled, not started).
Environment: PREFIX (/usr/local/bin), DATA_DIR (/var/lib/authflow),
SYSTEMD_DIR (/etc/systemd/system), AUTHFLOW_USER (authflow as root, else you),
CREATE_USER (auto|no).
EOF
}

# Temporary files to remove on any exit; set as they are created.
staged_bin=
staged_unit=
check_dir=
cleanup() {
  [ -n "$staged_bin" ] && rm -f -- "$staged_bin"
  [ -n "$staged_unit" ] && rm -f -- "$staged_unit"
  [ -n "$check_dir" ] && rm -rf -- "$check_dir"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Arguments and settings

case $# in
  0) bin_arg= ;;
  1)
    case $1 in
      -h | --help) usage; exit 0 ;;
      -*) printf '%s: unknown option %s (run "sh install.sh --help")\n' "$PROG" "$1" >&2; exit 2 ;;
    esac
    bin_arg=$1
    ;;
  *) printf '%s: expected at most one argument, the path to the authflow binary (run "sh install.sh --help")\n' "$PROG" >&2; exit 2 ;;
esac

script_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd) || die "cannot locate the directory holding install.sh."

if [ -n "$bin_arg" ]; then
  src=$bin_arg
elif [ -f ./authflow ]; then
  src=./authflow
elif [ -f "$script_dir/dist/authflow" ]; then
  src=$script_dir/dist/authflow
else
  die "no authflow binary found at ./authflow or $script_dir/dist/authflow; pass its path: sh install.sh PATH_TO_BINARY."
fi

PREFIX=${PREFIX:-/usr/local/bin}
DATA_DIR=${DATA_DIR:-/var/lib/authflow}
SYSTEMD_DIR=${SYSTEMD_DIR:-/etc/systemd/system}
CREATE_USER=${CREATE_USER:-auto}

uid=$(id -u)
if [ "$uid" -eq 0 ]; then is_root=yes; else is_root=no; fi
me=$(id -un 2>/dev/null) || me=$uid
if [ -z "${AUTHFLOW_USER:-}" ]; then
  if [ "$is_root" = yes ]; then AUTHFLOW_USER=authflow; else AUTHFLOW_USER=$me; fi
fi

case $CREATE_USER in
  auto | yes | no) ;;
  *) die "CREATE_USER must be auto or no, not \"$CREATE_USER\"." ;;
esac
case $AUTHFLOW_USER in
  -* | *[!A-Za-z0-9._-]*) die "AUTHFLOW_USER must be a plain account name (letters, digits, . _ -), not \"$AUTHFLOW_USER\"." ;;
esac

# Paths are written into the unit file unquoted, so keep them to characters
# systemd reads literally (no spaces, quotes, % specifiers or $ expansions).
check_path() { # NAME VALUE
  case $2 in
    /*) ;;
    *) die "$1 must be an absolute path, not \"$2\"." ;;
  esac
  case $2 in
    *[!A-Za-z0-9._/+@:-]*) die "$1 may only contain letters, digits and . _ - + @ : / (got \"$2\")." ;;
  esac
}
check_path PREFIX "$PREFIX"
check_path DATA_DIR "$DATA_DIR"
case $SYSTEMD_DIR in /*) ;; *) die "SYSTEMD_DIR must be an absolute path, not \"$SYSTEMD_DIR\"." ;; esac
# Trailing slashes would make the paths in the unit differ from what systemd reports.
while :; do case $PREFIX in */) PREFIX=${PREFIX%/} ;; *) break ;; esac; done
while :; do case $DATA_DIR in */) DATA_DIR=${DATA_DIR%/} ;; *) break ;; esac; done
if [ -z "$PREFIX" ] || [ -z "$DATA_DIR" ]; then die "PREFIX and DATA_DIR cannot be the root directory."; fi

# ---------------------------------------------------------------------------
# Platform: authflow ships for x86_64 Linux with glibc 2.34 or later.

os=$(uname -s)
arch=$(uname -m)
[ "$os" = Linux ] || die "authflow runs on Linux only; this machine runs $os."
[ "$arch" = x86_64 ] || die "authflow is built for x86_64; this machine is $arch."

glibc_version() {
  if v=$(getconf GNU_LIBC_VERSION 2>/dev/null); then
    case $v in glibc\ *) printf '%s\n' "${v#glibc }"; return 0 ;; esac
  fi
  if command -v ldd >/dev/null 2>&1; then
    v=$(ldd --version 2>&1 | sed -n 1p) || v=
    case $v in *GLIBC* | *"GNU libc"* | *glibc*) printf '%s\n' "${v##* }"; return 0 ;; esac
  fi
  return 1
}

glibc_problem=
if glibc=$(glibc_version); then
  major=${glibc%%.*}
  minor=${glibc#*.}
  minor=${minor%%[!0-9]*}
  case $major$minor in
    '' | *[!0-9]*)
      glibc_problem="could not read the glibc version (\"$glibc\"); authflow needs glibc $MIN_GLIBC_MAJOR.$MIN_GLIBC_MINOR or later"
      ;;
    *)
      if [ "$major" -lt "$MIN_GLIBC_MAJOR" ] || { [ "$major" -eq "$MIN_GLIBC_MAJOR" ] && [ "$minor" -lt "$MIN_GLIBC_MINOR" ]; }; then
        glibc_problem="this system has glibc $glibc but authflow needs $MIN_GLIBC_MAJOR.$MIN_GLIBC_MINOR or later (Debian 12, Ubuntu 22.04, RHEL 9 or newer)"
      fi
      ;;
  esac
else
  glibc_problem="could not find glibc (musl-based systems such as Alpine are not supported); authflow needs glibc $MIN_GLIBC_MAJOR.$MIN_GLIBC_MINOR or later"
fi
[ -z "$glibc_problem" ] || warn "$glibc_problem."

# ---------------------------------------------------------------------------
# The binary: an x86_64 ELF executable that answers --version as authflow.

[ -e "$src" ] || die "$src does not exist; pass the path of the authflow binary."
[ -f "$src" ] || die "$src is not a regular file; pass the path of the authflow binary."
[ -r "$src" ] || die "$src is not readable by $me."

# Checked before anything runs it: a shell would run a non-ELF file as a script.
elf=$(od -An -tx1 -N20 -- "$src" | tr -d ' \n')
case $elf in
  7f454c460201????????????????????????3e00) ;;
  *) die "$src is not an x86_64 Linux executable, so it cannot be the authflow binary." ;;
esac

# Every target must be writable before anything is changed.
writable_target() { # NAME PATH
  d=$2
  while [ ! -e "$d" ]; do d=$(dirname -- "$d"); done
  [ -d "$d" ] || die "cannot use $1=$2: $d is not a directory."
  [ -w "$d" ] || die "cannot write to $d (for $1=$2): run as root, or set $1 to a directory you can write."
}
writable_target PREFIX "$PREFIX"
writable_target SYSTEMD_DIR "$SYSTEMD_DIR"
if [ -e "$DATA_DIR" ]; then
  [ -d "$DATA_DIR" ] || die "DATA_DIR ($DATA_DIR) exists and is not a directory."
else
  writable_target DATA_DIR "$DATA_DIR"
fi
if [ -e "$PREFIX/authflow" ] && [ -d "$PREFIX/authflow" ]; then
  die "$PREFIX/authflow is a directory; remove it or choose another PREFIX."
fi

must "cannot create $PREFIX" mkdir -p -- "$PREFIX"
staged_bin=$PREFIX/.authflow.new.$$
must "cannot copy $src to $PREFIX" cp -- "$src" "$staged_bin"
must "cannot make $staged_bin executable" chmod 0755 "$staged_bin"

# Native addons are unpacked at first start: keep this check's copy out of
# the caller's cache, and never let a NODE_OPTIONS from the shell in.
check_dir=$(mktemp -d 2>/dev/null) || check_dir=
run_version() {
  (
    unset NODE_OPTIONS
    if [ -n "$check_dir" ]; then AUTHFLOW_CACHE_DIR=$check_dir; export AUTHFLOW_CACHE_DIR; fi
    if command -v timeout >/dev/null 2>&1; then
      exec timeout 60 "$staged_bin" --version
    else
      exec "$staged_bin" --version
    fi
  ) </dev/null 2>&1
}

if out=$(run_version); then status=0; else status=$?; fi
[ -n "$check_dir" ] && rm -rf -- "$check_dir"
check_dir=
version=$(printf '%s\n' "$out" | grep '^authflow ' | sed -n 1p) || version=
if [ "$status" -ne 0 ]; then
  first=$(printf '%s\n' "$out" | sed -n '/./{p;q;}')
  # Name the file the operator gave, not the staged copy.
  case $first in *"$staged_bin"*) first=${first%%"$staged_bin"*}$src${first#*"$staged_bin"} ;; esac
  why="--version exited with status $status${first:+: $first}"
  if [ -n "$glibc_problem" ]; then
    die "$src does not run on this machine ($why), most likely because $glibc_problem."
  fi
  die "$src does not run on this machine ($why)."
fi
if [ -z "$version" ]; then
  first=$(printf '%s\n' "$out" | sed -n '/./{p;q;}')
  if [ -n "$first" ]; then
    die "$src is not the authflow binary (its --version printed \"$first\")."
  fi
  die "$src is not the authflow binary (its --version printed nothing)."
fi

if [ -e "$PREFIX/authflow" ]; then action=upgraded; else action=installed; fi
must "cannot move the new binary into place at $PREFIX/authflow" mv -f -- "$staged_bin" "$PREFIX/authflow"
staged_bin=
note "$action $PREFIX/authflow ($version)"

# ---------------------------------------------------------------------------
# Service account

user_exists() { id -u "$1" >/dev/null 2>&1; }
group_exists() {
  if command -v getent >/dev/null 2>&1; then
    getent group "$1" >/dev/null 2>&1
  else
    grep -q "^$1:" /etc/group 2>/dev/null
  fi
}

create_user() { # NAME
  shell=/usr/sbin/nologin
  [ -x "$shell" ] || shell=/sbin/nologin
  [ -x "$shell" ] || shell=/bin/false
  if command -v useradd >/dev/null 2>&1; then
    if group_exists "$1"; then
      useradd --system --no-create-home --home-dir /nonexistent --shell "$shell" --gid "$1" "$1"
    else
      useradd --system --no-create-home --home-dir /nonexistent --shell "$shell" --user-group "$1"
    fi
  elif command -v adduser >/dev/null 2>&1 && adduser --help 2>&1 | grep -q -- '--system'; then
    if group_exists "$1"; then
      adduser --system --no-create-home --home /nonexistent --shell "$shell" --ingroup "$1" "$1"
    else
      adduser --system --no-create-home --home /nonexistent --shell "$shell" --group "$1"
    fi
  elif command -v adduser >/dev/null 2>&1; then
    # busybox
    { group_exists "$1" || addgroup -S "$1"; } && adduser -S -D -H -h /nonexistent -s "$shell" -G "$1" "$1"
  fi
}

if [ "$is_root" = no ]; then
  note "note: not running as root, so no account is created and no ownership is changed (the unit runs as $AUTHFLOW_USER)."
elif user_exists "$AUTHFLOW_USER"; then
  :
elif [ "$CREATE_USER" = no ]; then
  note "note: CREATE_USER=no and account $AUTHFLOW_USER does not exist: create it before starting the service."
else
  command -v useradd >/dev/null 2>&1 || command -v adduser >/dev/null 2>&1 ||
    die "cannot create the system account $AUTHFLOW_USER: neither useradd nor adduser is installed; create it yourself and re-run."
  must "cannot create the system account $AUTHFLOW_USER" create_user "$AUTHFLOW_USER"
  note "created system account $AUTHFLOW_USER"
fi

if user_exists "$AUTHFLOW_USER"; then
  AUTHFLOW_GROUP=$(id -gn "$AUTHFLOW_USER")
else
  AUTHFLOW_GROUP=$AUTHFLOW_USER
fi

# ---------------------------------------------------------------------------
# Data dir: created 0700 if missing. An existing one keeps its contents, mode
# and owner; only an empty one (a mount point, say) is given to the account.

if [ -d "$DATA_DIR" ] && [ "$is_root" = yes ] && user_exists "$AUTHFLOW_USER" && [ -z "$(ls -A -- "$DATA_DIR")" ]; then
  must "cannot give $DATA_DIR to $AUTHFLOW_USER" chown "$AUTHFLOW_USER:$AUTHFLOW_GROUP" "$DATA_DIR"
  must "cannot set the mode of $DATA_DIR" chmod 0700 "$DATA_DIR"
  note "prepared empty data dir $DATA_DIR (mode 0700, owner $AUTHFLOW_USER)"
elif [ -d "$DATA_DIR" ]; then
  note "kept existing data dir $DATA_DIR (contents untouched)"
  # The path was checked above to hold no characters that would confuse ls.
  # shellcheck disable=SC2012
  perms=$(ls -ld -- "$DATA_DIR" | cut -c5-10)
  [ "$perms" = ------ ] || warn "$DATA_DIR is accessible to other users, so authflow serve will refuse it; fix it with: chmod 700 $DATA_DIR."
  if [ "$is_root" = yes ] && user_exists "$AUTHFLOW_USER"; then
    [ -n "$(find "$DATA_DIR" -prune -user "$AUTHFLOW_USER")" ] || warn "$DATA_DIR is not owned by $AUTHFLOW_USER, so the service cannot use it; fix it with: chown -R $AUTHFLOW_USER:$AUTHFLOW_GROUP $DATA_DIR."
  fi
else
  must "cannot create the parent of $DATA_DIR" mkdir -p -- "$(dirname -- "$DATA_DIR")"
  must "cannot create $DATA_DIR" mkdir -m 0700 -- "$DATA_DIR"
  if [ "$is_root" = yes ] && user_exists "$AUTHFLOW_USER"; then
    must "cannot give $DATA_DIR to $AUTHFLOW_USER" chown "$AUTHFLOW_USER:$AUTHFLOW_GROUP" "$DATA_DIR"
  fi
  note "created data dir $DATA_DIR (mode 0700)"
fi

# ---------------------------------------------------------------------------
# systemd unit

unit_text() {
  cat <<EOF
# authflow: self-hosted OpenID Connect provider.
# Written by install.sh, which rewrites this file on every run: put local
# changes in a drop-in instead (systemctl edit authflow).
[Unit]
Description=authflow OpenID Connect provider
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=$AUTHFLOW_USER
Group=$AUTHFLOW_GROUP
Environment=AUTHFLOW_DATA_DIR=$DATA_DIR
# The binary honours NODE_OPTIONS: never let one reach it from the manager.
Environment=NODE_OPTIONS=
UnsetEnvironment=NODE_OPTIONS
ExecStart=$PREFIX/authflow serve
# SIGTERM drains in-flight requests, then the process exits 0.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=2
LimitNOFILE=65536
UMask=0077
# Native addons are unpacked here at first start (\$CACHE_DIRECTORY).
CacheDirectory=authflow
CacheDirectoryMode=0700
ReadWritePaths=$DATA_DIR

# Sandbox. V8 needs writable and executable memory for its JIT, so
# MemoryDenyWriteExecute= must stay off.
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
# A system call outside the filter fails with EPERM instead of killing the process.
SystemCallErrorNumber=EPERM
CapabilityBoundingSet=
AmbientCapabilities=

[Install]
WantedBy=multi-user.target
EOF
}

must "cannot create $SYSTEMD_DIR" mkdir -p -- "$SYSTEMD_DIR"
unit=$SYSTEMD_DIR/authflow.service
if [ -e "$unit" ]; then unit_action=rewrote; else unit_action=wrote; fi
staged_unit=$SYSTEMD_DIR/.authflow.service.new.$$
{ unit_text >"$staged_unit"; } 2>/dev/null || die "cannot write $staged_unit."
must "cannot set the mode of $staged_unit" chmod 0644 "$staged_unit"
must "cannot move the unit into place at $unit" mv -f -- "$staged_unit" "$unit"
staged_unit=
note "$unit_action $unit (not enabled, not started)"

hidden=
for p in "$PREFIX" "$DATA_DIR"; do
  case $p/ in
    /home/* | /root/* | /run/user/* | /tmp/* | /var/tmp/*) hidden="$hidden $p" ;;
  esac
done
[ -z "$hidden" ] || note "note: ProtectHome=/PrivateTmp= hide$hidden from the service, so the unit cannot start from this layout."

# ---------------------------------------------------------------------------
# Next steps

if [ -e "$DATA_DIR/authflow.yaml" ] || [ -e "$DATA_DIR/master.key" ] || [ -e "$DATA_DIR/authflow.db" ]; then
  initialised=yes
else
  initialised=no
fi

case $SYSTEMD_DIR in
  /etc/systemd/system | /run/systemd/system | /usr/lib/systemd/system | /lib/systemd/system | /usr/local/lib/systemd/system) unit_ref=authflow ;;
  *) unit_ref=$unit ;;
esac

# Runs a command as the service account, with whatever this system offers.
as_user=
if [ "$is_root" = yes ] && [ "$AUTHFLOW_USER" != "$me" ]; then
  if command -v runuser >/dev/null 2>&1; then
    as_user="runuser -u $AUTHFLOW_USER -- "
  else
    as_user="sudo -u $AUTHFLOW_USER "
  fi
fi

echo
if [ "$initialised" = yes ]; then
  note "$DATA_DIR already holds an install. To run the new binary:"
  if [ "$is_root" = yes ]; then
    note "  systemctl daemon-reload && systemctl restart authflow"
  else
    note "  $PREFIX/authflow serve --data-dir $DATA_DIR"
  fi
elif [ "$is_root" = yes ]; then
  note "Next, create the install as $AUTHFLOW_USER (use your public URL and email), then start the service now and at boot:"
  note "  ${as_user}$PREFIX/authflow init --non-interactive --data-dir $DATA_DIR --public-url https://id.example.com --admin-email admin@example.com"
  note "  systemctl enable --now $unit_ref"
else
  note "Next, create the install (use your public URL and email), then run the server:"
  note "  $PREFIX/authflow init --non-interactive --data-dir $DATA_DIR --public-url https://id.example.com --admin-email admin@example.com"
  note "  $PREFIX/authflow serve --data-dir $DATA_DIR"
  note "To run it under systemd instead, as root: cp $unit /etc/systemd/system/ && systemctl enable --now authflow"
fi
