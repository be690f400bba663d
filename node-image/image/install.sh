#!/bin/sh
# install.sh: makes a stock Debian 12 or Ubuntu 22.04/24.04 machine a NetServ node, from the unpacked
# install tarball (netserv-node-VERSION.tar.gz, whose top directory is netserv/). As a GENI request's
# services: <install url="…/netserv-node-VERSION.tar.gz" install_path="/opt"/> and
# <execute shell="sh" command="sudo /opt/netserv/install.sh --user NAME --key-url URL"/>.
# Idempotent: a second run changes nothing and says so. Any step it cannot do ends it with exit 1.
set -eu

PREFIX=/opt/netserv
user=''
key_url=''
key_file=''
start=1
changes=0

usage() {
  cat <<'USAGE'
usage: install.sh [--user NAME] [--key-url URL | --key-file FILE] [--no-start]
  installs the Debian packages a node needs, the node in /opt/netserv, the netservd systemd unit,
  and starts netservd (not with --no-start: for making a disk or container image); with --user,
  makes the account NAME (if missing) and authorises the SSH public key read from URL or FILE for it
USAGE
}

fail() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }
changed() { changes=$((changes + 1)); say "$*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --user) [ $# -ge 2 ] || fail "--user needs a NAME"; user=$2; shift 2 ;;
    --key-url) [ $# -ge 2 ] || fail "--key-url needs a URL"; key_url=$2; shift 2 ;;
    --key-file) [ $# -ge 2 ] || fail "--key-file needs a FILE"; key_file=$2; shift 2 ;;
    --no-start) start=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument '$1'" ;;
  esac
done
[ -z "$key_url" ] || [ -z "$key_file" ] || fail "give --key-url or --key-file, not both"
{ [ -z "$key_url" ] && [ -z "$key_file" ]; } || [ -n "$user" ] || fail "a key needs --user NAME"

[ "$(id -u)" -eq 0 ] || fail "must run as root (sudo $0 …)"
[ "$(uname -m)" = x86_64 ] || fail "the node is built for x86_64, this machine is $(uname -m)"
[ -r /etc/os-release ] || fail "cannot tell the system: /etc/os-release is missing"
. /etc/os-release
case "${ID:-}:${VERSION_ID:-}" in
  debian:12|ubuntu:22.04|ubuntu:24.04) ;;
  *) fail "unsupported system '${PRETTY_NAME:-unknown}': the node installs on Debian 12 and Ubuntu 22.04/24.04" ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
[ -x "$here/bin/netservd" ] && [ -f "$here/image/packages.txt" ] \
  || fail "$here is not an unpacked netserv-node tarball (bin/netservd or image/packages.txt missing)"

# 1. Debian packages: only the missing ones, so a second run does not touch apt.
missing=''
for package in $(sed -e 's/#.*//' "$here/image/packages.txt"); do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed: check the machine's apt sources and network"
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null \
    || fail "could not install the Debian packages:$missing (on Ubuntu, sip-tester needs the universe component)"
  changed "installed the Debian packages:$missing"
fi

# 2. The node itself in /opt/netserv (already there when the tarball was unpacked into /opt).
if [ "$here" != "$PREFIX" ]; then
  if ! diff -rq "$here" "$PREFIX" >/dev/null 2>&1; then
    rm -rf "$PREFIX.new"
    cp -a "$here" "$PREFIX.new" || fail "could not copy the node to $PREFIX.new"
    rm -rf "$PREFIX"
    mv "$PREFIX.new" "$PREFIX"
    changed "installed the node in $PREFIX"
  fi
fi

# 3. The files of the node's root file system overlay; the configuration only when there is none,
#    as the operator may have edited it.
unit_changed=0
for file in $(cd "$PREFIX/image/rootfs" && find . -type f | sed 's|^\./||'); do
  target="/$file"
  if [ "$target" = /etc/netserv/netserv.json ] && [ -e "$target" ]; then
    continue
  fi
  if ! cmp -s "$PREFIX/image/rootfs/$file" "$target"; then
    mkdir -p "$(dirname "$target")"
    cp -p "$PREFIX/image/rootfs/$file" "$target" || fail "could not write $target"
    [ "$target" != /etc/systemd/system/netservd.service ] || unit_changed=1
    changed "wrote $target"
  fi
done
if [ "$(readlink /usr/local/bin/netserv 2>/dev/null || true)" != "$PREFIX/bin/netserv" ]; then
  [ ! -e /usr/local/bin/netserv ] || [ -L /usr/local/bin/netserv ] \
    || fail "/usr/local/bin/netserv exists and is not a link to $PREFIX/bin/netserv: remove it first"
  ln -sfn "$PREFIX/bin/netserv" /usr/local/bin/netserv
  changed "linked /usr/local/bin/netserv"
fi

# 4. The operator's account and key.
if [ -n "$user" ]; then
  if ! id "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$user" || fail "could not create the user $user"
    changed "created the user $user"
  fi
  if [ -n "$key_url$key_file" ]; then
    if [ -n "$key_file" ]; then
      [ -r "$key_file" ] || fail "cannot read the key file $key_file"
      key=$(cat "$key_file")
    elif command -v curl >/dev/null 2>&1; then
      key=$(curl -fsSL "$key_url") || fail "could not fetch the key from $key_url"
    elif command -v wget >/dev/null 2>&1; then
      key=$(wget -qO- "$key_url") || fail "could not fetch the key from $key_url"
    else
      fail "--key-url needs curl or wget, and neither is installed (use --key-file)"
    fi
    case "$key" in
      ssh-*|ecdsa-*|sk-*) ;;
      *) fail "the key from ${key_url:-$key_file} is not an OpenSSH public key" ;;
    esac
    home=$(getent passwd "$user" | cut -d: -f6)
    mkdir -p "$home/.ssh"
    if ! grep -qxF "$key" "$home/.ssh/authorized_keys" 2>/dev/null; then
      printf '%s\n' "$key" >>"$home/.ssh/authorized_keys"
      changed "authorised the key for $user"
    fi
    chmod 700 "$home/.ssh"
    chmod 600 "$home/.ssh/authorized_keys"
    chown -R "$user:" "$home/.ssh"
  fi
fi

# 5. netservd: through systemd where it runs; in a container without systemd, started here once.
if [ "$start" -eq 0 ]; then
  :
elif [ -d /run/systemd/system ]; then
  [ "$unit_changed" -eq 0 ] || systemctl daemon-reload || fail "systemctl daemon-reload failed"
  if ! systemctl is-enabled --quiet netservd.service; then
    systemctl enable --quiet netservd.service || fail "could not enable netservd.service"
    changed "enabled netservd.service"
  fi
  if [ "$changes" -gt 0 ] && systemctl is-active --quiet netservd.service; then
    systemctl restart netservd.service || fail "netservd.service did not restart: journalctl -u netservd"
  elif ! systemctl is-active --quiet netservd.service; then
    systemctl start netservd.service || fail "netservd.service did not start: journalctl -u netservd"
    changed "started netservd.service"
  fi
else
  pidfile=/run/netserv/netservd.pid
  if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    mkdir -p /run/netserv /var/lib/netserv
    nohup "$PREFIX/bin/netservd" --config /etc/netserv/netserv.json >/var/log/netservd.log 2>&1 &
    echo $! >"$pidfile"
    changed "systemd is not running: started netservd (pid $!, log /var/log/netservd.log)"
  fi
fi

if [ "$changes" -eq 0 ]; then
  say "nothing changed: NetServ node $(cat "$PREFIX/VERSION") is installed"
else
  say "NetServ node $(cat "$PREFIX/VERSION") installed ($changes changes)"
fi
