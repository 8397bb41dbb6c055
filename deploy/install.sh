#!/bin/sh
# Installs bsmtrace: the program (built here unless --publish-dir names a
# build), a launcher on PATH, the man pages, a sample policy (an existing
# policy is never overwritten), the service file, log rotation, and the log
# and state directories.
#
#   deploy/install.sh [--platform freebsd|macos|linux] [--build auto|native|portable]
#                     [--publish-dir DIR] [--user NAME]
#
#   DESTDIR   stage under this directory (packaging); default: none
#   PREFIX    default /usr/local
#   DOTNET    the dotnet a portable build's launcher runs; default: the one on PATH now
#
# The build (deploy/publish.sh) is native where it can be made: Linux or macOS
# with clang, one file compiled ahead of time that needs no .NET runtime.
# Elsewhere, or for another --platform than this machine's, it is portable:
# framework-dependent, the same files on every system with a .NET runtime of
# major version 10 or later (RollForward=Major), which is how FreeBSD ships
# .NET (pkg install dotnet): no FreeBSD runtime packs exist for a build made
# elsewhere. --publish-dir installs either kind as it finds it.
set -eu

platform=
publish=
build=auto
user=
while [ $# -gt 0 ]; do
	case "$1" in
	--platform) platform=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--publish-dir) publish=$2; shift 2 ;;
	--user) user=$2; shift 2 ;;
	-h|--help) sed -n '2,21p' "$0"; exit 0 ;;
	*) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
	esac
done

if [ -z "$platform" ]; then
	case "$(uname -s)" in
	FreeBSD) platform=freebsd ;;
	Darwin) platform=macos ;;
	Linux) platform=linux ;;
	*) echo "install.sh: unknown system $(uname -s); give --platform" >&2; exit 1 ;;
	esac
fi
case "$platform" in
freebsd|macos|linux) ;;
*) echo "install.sh: --platform must be freebsd, macos or linux, not '$platform'" >&2; exit 1 ;;
esac

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
here=$(cd "$(dirname "$0")/.." && pwd)
dest() { printf '%s%s' "$DESTDIR" "$1"; }

case "$build" in
auto|native|portable) ;;
*) echo "install.sh: --build must be auto, native or portable, not '$build'" >&2; exit 1 ;;
esac
if [ -z "$publish" ]; then
	host=$(uname -s)
	case "$platform:$host" in
	freebsd:FreeBSD|macos:Darwin|linux:Linux) ;;
	*)
		[ "$build" = native ] && { echo "install.sh: a native build is made for this machine ($host), not for $platform" >&2; exit 1; }
		build=portable ;;
	esac
	publish=$(mktemp -d "${TMPDIR:-/tmp}/bsmtrace-publish.XXXXXX")
	trap 'rm -rf "$publish"' EXIT
	sh "$here/deploy/publish.sh" "$publish" "$build"
fi
libdir=$PREFIX/lib/bsmtrace
# The program's directory is cleared below: the build must not be in it.
if [ -d "$(dest "$libdir")" ]; then
	case "$(CDPATH='' cd -- "$publish" && pwd -P)/" in
	"$(CDPATH='' cd -- "$(dest "$libdir")" && pwd -P)"/*)
		echo "install.sh: --publish-dir $publish is inside $(dest "$libdir"), which the install replaces; give the build's own directory" >&2
		exit 1 ;;
	esac
fi
# A portable build is bsmtrace.dll, run by dotnet (its bsmtrace beside it is only a starter);
# a native one is the bsmtrace executable alone.
if [ -f "$publish/bsmtrace.dll" ]; then
	kind=portable
elif [ -f "$publish/bsmtrace" ] && [ -x "$publish/bsmtrace" ]; then
	kind=native
else
	echo "install.sh: $publish holds neither bsmtrace.dll (portable) nor a bsmtrace executable (native)" >&2
	exit 1
fi

if [ "$kind" = portable ] && [ -z "${DOTNET:-}" ]; then
	DOTNET=$(command -v dotnet || true)
	[ -n "$DOTNET" ] || DOTNET=$PREFIX/bin/dotnet
fi

owner=
[ "$(id -u)" -eq 0 ] && owner=1

# The program: root's, readable by all, writable by no one else (bsmtrace
# checks the programs its triggers run the same way).
install -d -m 0755 "$(dest "$libdir")" "$(dest "$PREFIX/bin")" "$(dest "$PREFIX/etc")" \
	"$(dest "$PREFIX/share/man/man8")" "$(dest "$PREFIX/share/man/man5")"
# The program's directory is the installer's: what an earlier install put there goes (assemblies
# of an older version, a portable build that a native one replaces), the settings stay.
find "$(dest "$libdir")/" -mindepth 1 -maxdepth 1 ! -name appsettings.json ! -name appsettings.json.sample -exec rm -rf {} +
for f in "$publish"/*; do
	case "$f" in
	*.pdb|*.dbg|*.dSYM) continue ;;
	*/appsettings.json)
		# Settings are configuration: one edited since the last install stays.
		if [ -f "$(dest "$libdir")/appsettings.json" ] && ! cmp -s "$f" "$(dest "$libdir")/appsettings.json"; then
			install -m 0644 "$f" "$(dest "$libdir")/appsettings.json.sample"
			echo "Kept the existing $libdir/appsettings.json (the new one is appsettings.json.sample)."
			continue
		fi
		;;
	esac
	if [ -d "$f" ]; then
		cp -R "$f" "$(dest "$libdir")/"
	elif [ "$kind" = native ] && [ "$f" = "$publish/bsmtrace" ]; then
		install -m 0755 "$f" "$(dest "$libdir")/"
	else
		install -m 0644 "$f" "$(dest "$libdir")/"
	fi
done

if [ "$kind" = native ]; then
	cat > "$(dest "$PREFIX/bin/bsmtrace")" <<LAUNCHER
#!/bin/sh
# bsmtrace, the native build (no .NET runtime needed).
exec "$libdir/bsmtrace" "\$@"
LAUNCHER
else
	cat > "$(dest "$PREFIX/bin/bsmtrace")" <<LAUNCHER
#!/bin/sh
# bsmtrace, run by the .NET runtime installed at $DOTNET.
exec "\${BSMTRACE_DOTNET:-$DOTNET}" "$libdir/bsmtrace.dll" "\$@"
LAUNCHER
fi
chmod 0755 "$(dest "$PREFIX/bin/bsmtrace")"

install -m 0444 "$here/docs/man/bsmtrace.8" "$(dest "$PREFIX/share/man/man8/bsmtrace.8")"
install -m 0444 "$here/docs/man/bsmtrace.conf.5" "$(dest "$PREFIX/share/man/man5/bsmtrace.conf.5")"

install -m 0644 "$here/bsmtrace.conf" "$(dest "$PREFIX/etc/bsmtrace.conf.sample")"
if [ ! -e "$(dest "$PREFIX/etc/bsmtrace.conf")" ]; then
	install -m 0600 "$here/bsmtrace.conf" "$(dest "$PREFIX/etc/bsmtrace.conf")"
	# A service that runs as its own user from the start (systemd's User=) reads it
	# through its group; root keeps it, and no one but root may change it.
	if [ -n "$owner" ] && [ -n "$user" ]; then
		chgrp "$(id -gn "$user")" "$(dest "$PREFIX/etc/bsmtrace.conf")"
		chmod 0640 "$(dest "$PREFIX/etc/bsmtrace.conf")"
	fi
else
	echo "Kept the existing $PREFIX/etc/bsmtrace.conf (the new sample is bsmtrace.conf.sample)."
fi

subst() { sed -e "s|%%PREFIX%%|$PREFIX|g" -e "s|%%PIDFILE%%|$2|g" "$1"; }
logdir=/var/log/bsmtrace
case "$platform" in
freebsd)
	statedir=/var/db/bsmtrace
	install -d -m 0755 "$(dest "$PREFIX/etc/rc.d")" "$(dest "$PREFIX/etc/newsyslog.conf.d")"
	subst "$here/deploy/rc.d/bsmtrace" "" > "$(dest "$PREFIX/etc/rc.d/bsmtrace")"
	chmod 0555 "$(dest "$PREFIX/etc/rc.d/bsmtrace")"
	subst "$here/deploy/newsyslog/bsmtrace.conf" /var/run/bsmtrace/bsmtrace.child.pid > "$(dest "$PREFIX/etc/newsyslog.conf.d/bsmtrace.conf")"
	chmod 0644 "$(dest "$PREFIX/etc/newsyslog.conf.d/bsmtrace.conf")"
	;;
macos)
	statedir=/var/db/bsmtrace
	install -d -m 0755 "$(dest /Library/LaunchDaemons)" "$(dest /etc/newsyslog.d)"
	subst "$here/deploy/launchd/org.bsmtrace.bsmtrace.plist" "" > "$(dest /Library/LaunchDaemons/org.bsmtrace.bsmtrace.plist)"
	chmod 0644 "$(dest /Library/LaunchDaemons/org.bsmtrace.bsmtrace.plist)"
	subst "$here/deploy/newsyslog/bsmtrace.conf" /var/run/bsmtrace.pid > "$(dest /etc/newsyslog.d/bsmtrace.conf)"
	chmod 0644 "$(dest /etc/newsyslog.d/bsmtrace.conf)"
	;;
linux)
	statedir=/var/lib/bsmtrace
	install -d -m 0755 "$(dest /etc/systemd/system)" "$(dest /etc/logrotate.d)"
	subst "$here/deploy/systemd/bsmtrace.service" "" > "$(dest /etc/systemd/system/bsmtrace.service)"
	chmod 0644 "$(dest /etc/systemd/system/bsmtrace.service)"
	install -m 0644 "$here/deploy/logrotate/bsmtrace" "$(dest /etc/logrotate.d/bsmtrace)"
	;;
esac

# Log and state directories: no one but bsmtrace's user may write in them.
install -d -m 0700 "$(dest "$logdir")" "$(dest "$statedir")"
if [ -n "$owner" ] && [ -n "$user" ]; then
	chown "$user" "$(dest "$logdir")" "$(dest "$statedir")"
fi

echo "Installed bsmtrace ($kind build) for $platform under ${DESTDIR:-/}$PREFIX. Next: $PREFIX/bin/bsmtrace check $PREFIX/etc/bsmtrace.conf"
