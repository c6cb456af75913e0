#!/usr/bin/env bash
# Install bpftop so that members of the `bpftop` group can run it without sudo.
#
#   sudo scripts/install.sh [--prefix DIR] [--binary PATH] [--allow-freeze]
#   sudo scripts/install.sh --uninstall [--prefix DIR] [--remove-group]
#
# The Bun-compiled binary goes to PREFIX/lib/bpftop/bpftop (root:root 0755)
# and never gets file capabilities: Bun obeys BUN_OPTIONS, BUN_BE_BUN, a cwd
# bunfig.toml and more, which would hand the capabilities to any caller (see
# the README's "Privileges"). The capabilities go to a small C launcher,
# PREFIX/bin/bpftop (root:bpftop 0750), which scrubs the environment and execs
# that binary. Group membership is therefore equivalent to root. OpenTUI's
# native library is installed next to the binary (PREFIX/lib/bpftop/opentui),
# so that bpftop never loads a copy extracted to a file its caller owns.
set -euo pipefail
umask 022

prefix=/usr/local binary='' allow_freeze=0 uninstall=0 remove_group=0
group=bpftop
caps=cap_bpf,cap_perfmon,cap_kill,cap_sys_resource
freeze_caps=cap_sys_admin,cap_dac_override

die() { echo "install: $*" >&2; exit 1; }
usage() { sed -n '2,6s/^# \{0,1\}//p' "$0"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --binary) [ $# -ge 2 ] || die "--binary needs a path"; binary=$2; shift 2 ;;
    --allow-freeze) allow_freeze=1; shift ;;
    --uninstall) uninstall=1; shift ;;
    --remove-group) remove_group=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run as root (sudo $0 ...)"
[ -z "$binary" ] || binary=$(realpath -- "$binary") # before leaving the caller's directory
cd "$(dirname "$0")/.."
# The binary's path is compiled into the launcher as a C string: keep it plain.
[[ "$prefix" =~ ^/[A-Za-z0-9/._+-]*$ ]] || die "--prefix must be an absolute path of letters, digits and /._+- (got '$prefix')"
prefix=${prefix%/}
bindir=$prefix/bin libdir=$prefix/lib/bpftop
launcher=$bindir/bpftop target=$libdir/bpftop assets=$libdir/opentui
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) die "unsupported machine $(uname -m)" ;; esac
opentui=@opentui/core-linux-$arch/libopentui.so # OpenTUI's key under OTUI_ASSET_ROOT

# Anyone who can write to a directory on the way to the launcher or the binary
# could swap them for their own program and get the capabilities, so every
# existing component of both paths (as given, and with symlinks resolved)
# must be owned by root and writable by nobody else. A sticky directory such
# as /tmp is fine on the way, since others cannot rename root's entries in it.
check_dirs() {
  local path=$1 dir='' component owner mode
  local -a parts
  IFS=/ read -ra parts <<<"${path#/}"
  for component in '' "${parts[@]}"; do
    dir=${dir%/}/$component
    [ -e "$dir" ] || return 0 # created below by root, mode 0755
    read -r owner mode < <(stat -L -c '%u %a' "$dir")
    [ "$owner" = 0 ] || die "refusing to install under $dir: it is owned by uid $owner, not root; its owner could replace what runs with bpftop's capabilities"
    if ((8#$mode & 8#022)) && ! { ((8#$mode & 8#1000)) && [ "$dir" != "$path" ]; }; then
      die "refusing to install under $dir: it is group- or world-writable (mode $mode); anyone who can write there could replace what runs with bpftop's capabilities"
    fi
  done
}

# Install the tools this script uses from apt when they are missing.
need() { # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null && return 0
  command -v apt-get >/dev/null || die "$1 is missing; install the package that provides it ($2 on Debian)"
  echo "install: installing $2" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# Ours carries its own name in its error messages; never remove someone else's bpftop.
is_launcher() { grep -qa 'bpftop-launcher: ' "$1"; }

if [ "$uninstall" = 1 ]; then
  if [ -e "$launcher" ]; then
    is_launcher "$launcher" || die "$launcher is not bpftop's launcher; leaving it alone"
    rm -f "$launcher" && echo "removed $launcher"
  fi
  [ -e "$target" ] && rm -f "$target" && echo "removed $target"
  [ -e "$assets" ] && rm -rf "$assets" && echo "removed $assets"
  [ -d "$libdir" ] && rmdir --ignore-fail-on-non-empty "$libdir" && echo "removed $libdir"
  if [ "$remove_group" = 1 ] && getent group "$group" >/dev/null; then
    groupdel "$group" && echo "removed group $group"
  fi
  exit 0
fi

for dir in "$bindir" "$libdir"; do
  check_dirs "$dir"
  check_dirs "$(realpath -m "$dir")"
done
if [ -e "$launcher" ] && ! is_launcher "$launcher"; then
  die "$launcher exists and is not bpftop's launcher; remove it or choose another --prefix"
fi

if [ -z "$binary" ]; then
  scripts/build.sh
  binary=dist/bpftop
fi
[ -f "$binary" ] || die "$binary: no such file"
version=$(env -i "$binary" --version 2>/dev/null) || true
[[ "$version" == "bpftop "* ]] || die "$binary does not look like bpftop (its --version printed '$version')"
[ -f "node_modules/$opentui" ] || die "node_modules/$opentui is missing; run npm install"
# The library must be the very one built into the binary (same checkout, same npm install).
node_modules/.bin/bun -e 'const fs = require("fs"); const [bin, lib] = process.argv.slice(-2);
  process.exit(fs.readFileSync(bin).indexOf(fs.readFileSync(lib)) >= 0 ? 0 : 1)' "$binary" "node_modules/$opentui" ||
  die "$binary was not built with node_modules/$opentui; build it from this checkout (npm run build)"

need cc gcc
need setcap libcap2-bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 -fstack-protector-strong -pie -fPIE \
  -DBPFTOP_BINARY="\"$target\"" -DBPFTOP_ASSET_ROOT="\"$assets\"" -DOPENTUI_LIBRARY="\"$opentui\"" \
  -o "$work/bpftop-launcher" launcher/bpftop-launcher.c

getent group "$group" >/dev/null || groupadd --system "$group"
mkdir -p "$bindir" "$libdir"

# Each file is prepared under a temporary name and renamed into place, so a
# running bpftop is never overwritten and no half-installed file is visible.
# The capabilities come last: chown and chmod would clear them.
install -o root -g root -m 0755 "$binary" "$libdir/.bpftop.new"
mv -f "$libdir/.bpftop.new" "$target"
install -D -o root -g root -m 0644 "node_modules/$opentui" "$assets/$opentui.new"
mv -f "$assets/$opentui.new" "$assets/$opentui"
install -o root -g "$group" -m 0750 "$work/bpftop-launcher" "$bindir/.bpftop.new"
[ "$allow_freeze" = 1 ] && caps=$caps,$freeze_caps
# +p only: permitted, not effective; the launcher raises them to ambient itself.
setcap "$caps+p" "$bindir/.bpftop.new"
mv -f "$bindir/.bpftop.new" "$launcher"

echo "installed $target ($version) and the launcher $launcher ($(getcap "$launcher" | cut -d' ' -f2-))"
if findmnt -T "$bindir" -no OPTIONS 2>/dev/null | grep -qw nosuid; then
  echo "warning: $bindir is on a nosuid mount, where file capabilities are ignored" >&2
fi
uninstall="$0 --uninstall"
[ "$prefix" = /usr/local ] || uninstall="$uninstall --prefix $prefix"
cat <<EOF

To let a user run bpftop:  usermod -aG $group USER   (takes effect at their next login)
Membership in the '$group' group is equivalent to root: its members run bpftop with
$(echo "${caps^^}" | sed 's/,/, /g'), which are root-equivalent.
To remove bpftop:          $uninstall
EOF
